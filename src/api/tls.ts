// HTTPS for the API. By default the certificate comes from Wharf's own CA (issued for the
// addresses the server answers on); an operator's certificate and key replace it when
// configured, and are reloaded without a restart when their files change (setSecureContext).
// Plain HTTP is allowed only on loopback, the single-machine default: passwords, user tokens
// and node-agent tokens never cross a network in clear.
import { createHash } from "node:crypto";
import { readFileSync, unwatchFile, watchFile } from "node:fs";
import { networkInterfaces, hostname } from "node:os";
import { isIP } from "node:net";
import type { Server as HttpsServer } from "node:https";
import { Pki } from "../cluster/tls/pki.js";
import type { ApiTlsSettings } from "../config/tls-config.js";

export type { ApiTlsSettings };

export interface ApiTls {
  scheme: "http" | "https";
  /** Spread into Fastify's options. */
  fastifyOptions: { https?: { cert: Buffer; key: Buffer } };
  /** The CA bundle clients must trust (agents at node add, `wharf target add --cacert`); null for plain HTTP or an operator's certificate signed by a public CA they already trust. */
  caBundle: Buffer | null;
  /** Reloads the certificate on file changes; returns a stop function. */
  watch(server: HttpsServer, onReload?: (err?: Error) => void): () => void;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The addresses a wildcard listener answers on: every local IPv4/IPv6 address. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal)
    .map((i) => i!.address.replace(/%.*$/, ""));
}

export async function apiTls(s: ApiTlsSettings): Promise<ApiTls> {
  if (s.mode === "off" || (s.mode === "auto" && isLoopback(s.host) && !s.certFile)) {
    if (!isLoopback(s.host)) {
      throw new Error(
        `refusing plain HTTP on ${s.host}: tokens and passwords would cross the network in clear; listen on 127.0.0.1, or leave TLS on`,
      );
    }
    return { scheme: "http", fastifyOptions: {}, caBundle: null, watch: () => () => undefined };
  }
  if (!!s.certFile !== !!s.keyFile)
    throw new Error("give both the API's TLS certificate and its key, or neither");
  let certFile = s.certFile;
  let keyFile = s.keyFile;
  let caBundle: Buffer | null = null;
  if (!certFile) {
    const wildcard = s.host === "0.0.0.0" || s.host === "::" || s.host === "";
    const ips = [
      ...new Set([
        ...(wildcard ? localAddresses() : isIP(s.host) ? [s.host] : []),
        "127.0.0.1",
        ...(s.extraSans?.ips ?? []),
      ]),
    ];
    const dns = [
      ...new Set([
        ...(isIP(s.host) || wildcard ? [] : [s.host]),
        hostname(),
        "localhost",
        ...(s.extraSans?.dns ?? []),
      ]),
    ];
    // One certificate per set of names, so a changed address gets a new one rather than a stale one.
    const tag = createHash("sha256")
      .update(JSON.stringify([ips.sort(), dns.sort()]))
      .digest("hex")
      .slice(0, 10);
    const pki = new Pki(s.pkiDir);
    const issued = await pki.issueServer(`wharf-api-${tag}`, { ips, dns });
    certFile = issued.cert;
    keyFile = issued.key;
    caBundle = readFileSync(issued.ca);
  }
  const load = () => ({ cert: readFileSync(certFile!), key: readFileSync(keyFile!) });
  const material = load();
  return {
    scheme: "https",
    fastifyOptions: { https: material },
    caBundle,
    watch(server, onReload) {
      const files = [certFile!, keyFile!];
      const reload = () => {
        try {
          server.setSecureContext(load());
          onReload?.();
        } catch (err) {
          // A half-written pair (cert renewed, key not yet): keep serving the old one.
          onReload?.(err as Error);
        }
      };
      for (const f of files) watchFile(f, { interval: 1000 }, reload);
      return () => files.forEach((f) => unwatchFile(f, reload));
    },
  };
}
