// The CA bundle that build containers trust. Builds fetch over HTTPS (npm, pip, apt over
// https) and many networks inspect TLS with their own CA, so the bundle is configuration:
// by default the host's system bundle, which already trusts whatever the host trusts.
import { readFile } from "node:fs/promises";
import type { ContextFile } from "./context.js";

export const DEFAULT_BUILD_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const IN_IMAGE_PATH = "/etc/ssl/certs/ca-certificates.crt";
const CONTEXT_NAME = ".wharf-ca-bundle.crt";

export function buildCaBundlePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.WHARF_BUILD_CA_BUNDLE?.trim() || DEFAULT_BUILD_CA_BUNDLE;
}

export async function loadCaBundle(path: string): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (err) {
    throw new Error(
      `cannot read the build CA bundle ${path} (${(err as NodeJS.ErrnoException).code}); set WHARF_BUILD_CA_BUNDLE to a PEM file`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error(
      `the build CA bundle ${path} holds no PEM certificate; set WHARF_BUILD_CA_BUNDLE to a PEM file`,
    );
  }
  return pem;
}

/**
 * Rewrites a Dockerfile so every stage trusts the bundle before its first instruction runs,
 * and points the usual tools (OpenSSL, Node, npm, pip, requests) at it.
 */
export function injectCaBundle(dockerfile: string): string {
  const lines = [
    `COPY ${CONTEXT_NAME} ${IN_IMAGE_PATH}`,
    `ENV SSL_CERT_FILE=${IN_IMAGE_PATH} NODE_EXTRA_CA_CERTS=${IN_IMAGE_PATH} ` +
      `NPM_CONFIG_CAFILE=${IN_IMAGE_PATH} PIP_CERT=${IN_IMAGE_PATH} REQUESTS_CA_BUNDLE=${IN_IMAGE_PATH}`,
  ];
  const out: string[] = [];
  for (const line of dockerfile.split("\n")) {
    out.push(line);
    if (/^\s*FROM\s/i.test(line)) out.push(...lines);
  }
  return out.join("\n");
}

export function caBundleContextFile(pem: Buffer): ContextFile {
  return { name: CONTEXT_NAME, content: pem };
}
