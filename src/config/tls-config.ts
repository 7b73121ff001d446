// The API's TLS settings from the environment (read here, as every setting is read in src/config).
import { join } from "node:path";

/** How the API serves TLS (src/api/tls.ts applies it). */
export interface ApiTlsSettings {
  /** The address the API listens on. */
  host: string;
  /** "auto": HTTPS unless the host is loopback; "on": always; "off": plain HTTP (loopback only). */
  mode: "auto" | "on" | "off";
  /** Wharf's PKI directory (its CA signs the default certificate). */
  pkiDir: string;
  /** The operator's own certificate chain and key (PEM), instead of one from Wharf's CA. */
  certFile?: string;
  keyFile?: string;
  /** Extra names and addresses for the default certificate (a DNS name the nodes use). */
  extraSans?: { ips?: string[]; dns?: string[] };
}

/**
 * WHARF_API_TLS=auto|on|off (auto: HTTPS unless listening on loopback), WHARF_API_TLS_CERT and
 * WHARF_API_TLS_KEY (the operator's own PEM pair, reloaded on change), WHARF_API_TLS_SANS
 * (extra names/addresses for the default certificate, comma-separated), WHARF_PKI_DIR (Wharf's
 * CA; default <data dir>/pki).
 */
export function apiTlsSettings(
  host: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ApiTlsSettings {
  const mode = env.WHARF_API_TLS ?? "auto";
  if (mode !== "auto" && mode !== "on" && mode !== "off") {
    throw new Error(`WHARF_API_TLS must be auto, on or off, got "${mode}"`);
  }
  const sans = (env.WHARF_API_TLS_SANS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    host,
    mode,
    pkiDir: env.WHARF_PKI_DIR ?? join(dataDir, "pki"),
    ...(env.WHARF_API_TLS_CERT ? { certFile: env.WHARF_API_TLS_CERT } : {}),
    ...(env.WHARF_API_TLS_KEY ? { keyFile: env.WHARF_API_TLS_KEY } : {}),
    extraSans: {
      ips: sans.filter((x) => /^[\d.]+$|:/.test(x)),
      dns: sans.filter((x) => !/^[\d.]+$|:/.test(x)),
    },
  };
}
