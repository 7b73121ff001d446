// `wharf certificate set|unset|list` (tsuru certificate-set/-unset/-list, reference §4.8).
import { readFile } from "node:fs/promises";
import { X509Certificate } from "node:crypto";
import type { Command } from "commander";
import { query } from "../client/http.js";
import { apiFor } from "../context.js";
import { CliError } from "../errors.js";
import { emit, print, table } from "../output.js";
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

/** Expiry, issuer and subject of a PEM, or "-" when none (as tsuru's certificate-list shows them). */
function describe(pem: string): [string, string, string] {
  if (!pem) return ["-", "-", "-"];
  try {
    const c = new X509Certificate(pem);
    return [new Date(c.validTo).toISOString(), c.issuer.replace(/\n/g, ", "), c.subject.replace(/\n/g, ", ")];
  } catch {
    return ["(unparsable)", "-", "-"];
  }
}

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
      .option("--json", "print JSON"),
  ).action(async (opts: { app?: string; json?: boolean }, cmd: Command) => {
    const app = resolveApp(opts.app);
    const data =
      (await apiFor(cmd).getJson<Record<string, Record<string, string>>>("GET", `/apps/${app}/certificate`, {
        version: "1.2",
      })) ?? {};
    emit(opts, data, () => {
      const rows: string[][] = [];
      for (const [router, byCname] of Object.entries(data))
        for (const [cname, pem] of Object.entries(byCname)) rows.push([router, cname, ...describe(pem)]);
      return table(["Router", "CName", "Expires", "Issuer", "Subject"], rows, { separateRows: true });
    });
  });
}
