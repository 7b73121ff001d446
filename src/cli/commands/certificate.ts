// `wharf certificate set|unset|list` (tsuru certificate-set/-unset/-list, reference §4.8).
import { readFile } from "node:fs/promises";
import { X509Certificate } from "node:crypto";
import type { Command } from "commander";
import { query } from "../client/http.js";
import { apiFor } from "../context.js";
import { CliError } from "../errors.js";
import { emit, formatTime, print, table } from "../output.js";
import { appOption, resolveApp } from "../options.js";

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new CliError(
      `could not read the ${what} file "${path}": ${(err as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
}

/**
 * A distinguished name the way tsuru's certificate-list prints it: country, state, locality,
 * organization and common name, repeated attributes joined by commas, empty ones kept.
 */
function formatName(dn: string): string {
  const attrs = new Map<string, string[]>();
  for (const line of dn.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) attrs.set(line.slice(0, eq), [...(attrs.get(line.slice(0, eq)) ?? []), line.slice(eq + 1)]);
  }
  const v = (k: string) => (attrs.get(k) ?? []).join(",");
  return `C=${v("C")}; ST=${v("ST")}; \nL=${v("L")}; O=${v("O")};\nCN=${v("CN")}`;
}

/** Expires (local time), issuer and subject of a PEM; "-" for a cname without one (as tsuru shows them). */
function describe(pem: string): [string, string, string] {
  if (!pem) return ["-", "-", "-"];
  try {
    const c = new X509Certificate(pem);
    return [formatTime(new Date(c.validTo).toISOString()), formatName(c.issuer), formatName(c.subject)];
  } catch {
    return ["failed to parse certificate data", "-", "-"];
  }
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function registerCertificate(program: Command): void {
  const cert = program
    .command("certificate")
    .description("TLS certificates for an app's cnames (served by SNI)");

  appOption(
    cert
      .command("set <certificate> <key>")
      .description("set the certificate (PEM file) and private key (PEM file) of one of the app's cnames")
      .requiredOption("-c, --cname <cname>", "the cname the certificate is for"),
  ).action(async (certPath: string, keyPath: string, opts: { app?: string; cname: string }, cmd: Command) => {
    const app = resolveApp(opts.app);
    const [certificate, key] = await Promise.all([readPem(certPath, "certificate"), readPem(keyPath, "key")]);
    await apiFor(cmd).send("PUT", `/apps/${app}/certificate`, {
      version: "1.2",
      form: { cname: opts.cname, certificate, key },
    });
    print("Successfully created the certificated.");
  });

  appOption(
    cert
      .command("unset")
      .description("remove the certificate of one of the app's cnames")
      .requiredOption("-c, --cname <cname>", "the cname whose certificate to remove"),
  ).action(async (opts: { app?: string; cname: string }, cmd: Command) => {
    const app = resolveApp(opts.app);
    await apiFor(cmd).send("DELETE", `/apps/${app}/certificate${query({ cname: opts.cname })}`, {
      version: "1.2",
    });
    print("Certificate removed.");
  });

  appOption(
    cert
      .command("list")
      .description("list the app's cnames with their certificates")
      .option("-r, --raw", "print the certificates themselves (PEM)")
      .option("--json", "print JSON"),
  ).action(async (opts: { app?: string; raw?: boolean; json?: boolean }, cmd: Command) => {
    const app = resolveApp(opts.app);
    const data =
      (await apiFor(cmd).getJson<Record<string, Record<string, string>>>("GET", `/apps/${app}/certificate`, {
        version: "1.2",
      })) ?? {};
    // Routers and cnames in name order, as tsuru sorts them.
    const entries = Object.keys(data)
      .sort(byName)
      .map((router) => [router, Object.keys(data[router] ?? {}).sort(byName)] as const);
    if (opts.raw && !opts.json) {
      let out = "";
      for (const [router, cnames] of entries) {
        out += `${router}:\n`;
        for (const cname of cnames) out += `${cname}:\n${data[router]![cname] || "No certificate.\n"}`;
      }
      return void process.stdout.write(out);
    }
    emit(opts, data, () => {
      const rows: string[][] = [];
      for (const [router, cnames] of entries)
        for (const cname of cnames) rows.push([router, cname, ...describe(data[router]![cname] ?? "")]);
      return table(["Router", "CName", "Expires", "Issuer", "Subject"], rows, { separateRows: true });
    });
  });
}
