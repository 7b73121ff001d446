// `wharf docker certs|env|policy`: a client certificate for the Docker-API cluster endpoint
// (its key is made here with openssl and never leaves this machine: the server only signs
// the request), the environment the docker CLI needs, and the pools' policies (admins).
import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { apiFor, targetFor } from "../context.js";
import { wharfHome } from "../config.js";
import { CliError } from "../errors.js";
import { emit, print, table } from "../output.js";
import { boolChoice, jsonOption } from "../options.js";
import { run } from "../../util/exec.js";

interface Issued {
  certificate: string;
  ca: string;
  serial: string;
  expires: string;
  endpoint: string;
}

interface CertRow {
  serial: string;
  user: string;
  created: string;
  expires: string;
  revoked: string | null;
}

/** One directory per target: ca.pem, cert.pem, key.pem (Docker's DOCKER_CERT_PATH layout) and endpoint. */
function certDir(cmd: Command, dir?: string): string {
  if (dir) return dir;
  const t = targetFor(cmd)
    .url.replace(/^https?:\/\//, "")
    .replace(/[^a-zA-Z0-9.-]+/g, "_");
  return join(wharfHome(), "docker", t);
}

async function issue(cmd: Command, dir: string): Promise<Issued> {
  const api = apiFor(cmd);
  const me = await api.getJson<{ Email?: string }>("GET", "/users/info");
  const email = me?.Email;
  if (!email) throw new CliError("could not tell who you are: log in as a user (wharf login) first");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, "key.pem");
  const csr = join(dir, "cert.csr");
  const tools = await run("openssl", ["version"], { allowFailure: true }).catch(() => ({ code: 1 }));
  if (tools.code !== 0)
    throw new CliError("openssl is needed to make your key: install it (Debian: apt-get install openssl)");
  try {
    await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${key}.new`]);
    await chmod(`${key}.new`, 0o600);
    await run("openssl", ["req", "-new", "-key", `${key}.new`, "-subj", `/CN=${email}`, "-out", csr]);
    const got = await api.getJson<Issued>("POST", "/docker/certs", {
      form: { csr: await readFile(csr, "utf8") },
    });
    if (!got) throw new CliError("the server answered no certificate");
    await writeFile(join(dir, "cert.pem"), got.certificate);
    await writeFile(join(dir, "ca.pem"), got.ca);
    await writeFile(join(dir, "endpoint"), `${got.endpoint}\n`);
    await rm(key, { force: true });
    await writeFile(key, await readFile(`${key}.new`), { mode: 0o600 });
    return got;
  } finally {
    await rm(`${key}.new`, { force: true });
    await rm(csr, { force: true });
  }
}

/** The directory's certificate when it is still good for a day and not revoked, else undefined. */
async function usable(cmd: Command, dir: string): Promise<{ serial: string; endpoint: string } | undefined> {
  const files = ["cert.pem", "key.pem", "ca.pem", "endpoint"].map((f) => join(dir, f));
  if (!files.every((f) => existsSync(f))) return undefined;
  const cert = new X509Certificate(await readFile(join(dir, "cert.pem")));
  if (new Date(cert.validTo).getTime() - Date.now() < 24 * 3600_000) return undefined;
  const serial = cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, "");
  const mine = (await apiFor(cmd).getJson<CertRow[]>("GET", "/docker/certs")) ?? [];
  const row = mine.find((r) => r.serial === serial);
  if (!row || row.revoked) return undefined;
  return { serial, endpoint: (await readFile(join(dir, "endpoint"), "utf8")).trim() };
}

export function registerDocker(program: Command): void {
  const docker = program
    .command("docker")
    .description("the Docker-API cluster endpoint: certificates, environment, pool policies");

  const certs = docker
    .command("certs")
    .description("make a key here and get it a client certificate for the Docker endpoint (in --dir)")
    .option("--dir <dir>", "where to write ca.pem, cert.pem and key.pem (default: under WHARF_HOME)")
    .action(async (opts: { dir?: string }, cmd: Command) => {
      const dir = certDir(cmd, opts.dir);
      const got = await issue(cmd, dir);
      print(`Certificate ${got.serial} for the Docker endpoint written to ${dir} (expires ${got.expires}).`);
      print(`Use it with: export DOCKER_HOST=${got.endpoint} DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${dir}`);
    });
  jsonOption(certs.command("list").description("your Docker endpoint certificates")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const rows = (await apiFor(cmd).getJson<CertRow[]>("GET", "/docker/certs")) ?? [];
      emit(opts, rows, () =>
        table(
          ["Serial", "User", "Created", "Expires", "Revoked"],
          rows.map((r) => [r.serial, r.user, r.created, r.expires, r.revoked ?? ""]),
        ),
      );
    },
  );
  certs
    .command("revoke <serial>")
    .description("revoke a certificate: the endpoint refuses it from the next request on")
    .action(async (serial: string, _opts: unknown, cmd: Command) => {
      await apiFor(cmd).send("DELETE", `/docker/certs/${encodeURIComponent(serial)}`);
      print(`Certificate ${serial} revoked.`);
    });

  docker
    .command("env")
    .description("print the DOCKER_* variables for the endpoint, getting a certificate first when needed")
    .option("--dir <dir>", "certificate directory (default: under WHARF_HOME)")
    .action(async (opts: { dir?: string }, cmd: Command) => {
      const dir = certDir(cmd, opts.dir);
      const endpoint = (await usable(cmd, dir))?.endpoint ?? (await issue(cmd, dir)).endpoint;
      process.stdout.write(
        `export DOCKER_HOST=${endpoint}\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=${dir}\n` +
          "# Run this command to configure your shell:\n# eval $(wharf docker env)\n",
      );
    });

  const policy = docker.command("policy").description("what the Docker endpoint allows on a pool (admins)");
  jsonOption(policy.command("show <pool>").description("show a pool's policy")).action(
    async (pool: string, opts: { json?: boolean }, cmd: Command) => {
      const p = await apiFor(cmd).getJson<Record<string, unknown>>(
        "GET",
        `/docker/policies/${encodeURIComponent(pool)}`,
      );
      emit(opts, p, () =>
        table(
          ["Setting", "Value"],
          Object.entries(p ?? {}).map(([k, v]) => [k, String(v)]),
        ),
      );
    },
  );
  const flags = ["privileged", "host-binds", "host-namespaces", "devices", "cap-add"];
  let set = policy.command("set <pool>").description("relax or tighten a pool's policy");
  for (const f of flags)
    set = set.addOption(boolChoice(`--allow-${f} <bool>`, `allow ${f.replace("-", " ")} (true/false)`));
  set
    .option("--containers-per-team <n>", "containers one team may have on the pool (-1: no limit)")
    .action(async (pool: string, opts: Record<string, string | undefined>, cmd: Command) => {
      const form: Record<string, string> = {};
      for (const f of flags) {
        const v = opts[`allow${f.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`];
        if (v !== undefined) form[`allow-${f}`] = v;
      }
      if (opts.containersPerTeam !== undefined) form["containers-per-team"] = opts.containersPerTeam;
      if (!Object.keys(form).length)
        throw new CliError("say what to change, e.g. --allow-privileged true or --containers-per-team 50", 2);
      await apiFor(cmd).send("PUT", `/docker/policies/${encodeURIComponent(pool)}`, { form });
      print(`Docker endpoint policy of pool ${pool} updated.`);
    });
}
