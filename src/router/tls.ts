// Certificates per hostname (cnames and app hosts) served by SNI. Secure contexts are built once per
// certificate and cached; replacing a certificate takes effect on the next TLS handshake, no restart.
import { createSecureContext, type SecureContext } from "node:tls";

export interface CertificatePair {
  /** PEM certificate chain. */
  cert: string;
  /** PEM private key. Never logged. */
  key: string;
}

export interface CertificateSource {
  /** Exact name first; implementations may fall back to a wildcard ("*.example.com"). */
  get(servername: string): CertificatePair | undefined;
}

/** In-memory certificates, fed by the control plane (or the primary process in cluster mode). */
export class StaticCertificateSource implements CertificateSource {
  private certs = new Map<string, CertificatePair>();

  constructor(initial?: Record<string, CertificatePair>) {
    if (initial) this.replaceAll(initial);
  }

  set(name: string, pair: CertificatePair): void {
    this.certs.set(name.toLowerCase(), pair);
  }

  delete(name: string): void {
    this.certs.delete(name.toLowerCase());
  }

  replaceAll(all: Record<string, CertificatePair>): void {
    this.certs = new Map(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  }

  toJSON(): Record<string, CertificatePair> {
    return Object.fromEntries(this.certs);
  }

  get(servername: string): CertificatePair | undefined {
    const name = servername.toLowerCase();
    const exact = this.certs.get(name);
    if (exact) return exact;
    const dot = name.indexOf(".");
    return dot > 0 ? this.certs.get("*" + name.slice(dot)) : undefined;
  }
}

/** SNICallback for https.createServer: picks the certificate for the requested name. */
export function sniCallback(
  source: CertificateSource,
): (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void {
  // Keyed by the pair object: a replaced certificate is a new object, so the cache never serves a
  // stale one and needs no invalidation.
  const cache = new WeakMap<CertificatePair, SecureContext>();
  return (servername, cb) => {
    const pair = source.get(servername);
    if (!pair) return cb(null, undefined); // falls back to the server's default certificate, if any
    let ctx = cache.get(pair);
    if (!ctx) {
      try {
        ctx = createSecureContext({ cert: pair.cert, key: pair.key });
      } catch {
        // Do not echo the error: it can quote key material.
        return cb(new Error(`invalid certificate for ${servername}`));
      }
      cache.set(pair, ctx);
    }
    cb(null, ctx);
  };
}
