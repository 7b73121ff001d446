// Which CA the CLI trusts for a target: the bundle given at `wharf target add --cacert`
// (kept per target origin in $WHARF_HOME/ca.d/), or WHARF_CACERT for one command; otherwise
// the system's roots. A server whose certificate none of them signed is refused.
// node:crypto is not loaded here: every CLI start goes through this file.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wharfHome, type Env } from "../home.js";

function caFile(origin: string, env: Env): string {
  const id = new URL(origin).origin.replace(/[^A-Za-z0-9.-]+/g, "_");
  return join(wharfHome(env), "ca.d", `${id}.pem`);
}

/** The CA bundle for `origin`, or undefined for the system's roots. */
export function trustedCa(origin: string, env: Env = process.env): Buffer | undefined {
  const path = env.WHARF_CACERT || caFile(origin, env);
  try {
    return readFileSync(path);
  } catch {
    if (env.WHARF_CACERT) throw new Error(`cannot read WHARF_CACERT=${env.WHARF_CACERT}`);
    return undefined;
  }
}

/** Checks `pem` holds at least one certificate and keeps it for `origin`. */
export async function saveTrustedCa(origin: string, pem: string, env: Env = process.env): Promise<void> {
  const { X509Certificate } = await import("node:crypto");
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!certs.length) throw new Error("the CA file holds no PEM certificate");
  for (const c of certs) new X509Certificate(c);
  mkdirSync(join(wharfHome(env), "ca.d"), { recursive: true, mode: 0o700 });
  writeFileSync(caFile(origin, env), certs.join("\n") + "\n", { mode: 0o644 });
}
