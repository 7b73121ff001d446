// Self-signed certificates made by openssl for the certificate tests.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type PeerCertificate } from "node:tls";

/** A one-day self-signed certificate for `name`; `subject` defaults to just its common name. */
export function makeCert(dir: string, name: string, subject = `/CN=${name}`): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", subject].concat([
      "-addext",
      `subjectAltName=DNS:${name}`,
      "-keyout",
      key,
      "-out",
      crt,
    ]),
    { stdio: "ignore" },
  );
  return { cert: readFileSync(crt, "utf8"), key: readFileSync(key, "utf8") };
}

/** The certificate a TLS server presents for `servername`, or the handshake error. */
export function peerCert(port: number, servername: string): Promise<PeerCertificate | Error> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false }, () => {
      const c = s.getPeerCertificate();
      s.end();
      resolve(c);
    });
    s.on("error", (e) => resolve(e));
  });
}

/** Polls `probe` until it returns true (route and certificate changes arrive through the feed). */
export async function eventually(probe: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
