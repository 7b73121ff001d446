// The endpoint's own certificate authority: it signs the server certificate the endpoint
// presents and the client certificates users get from `wharf docker certs`. A user's key is
// made on their machine; only the CSR reaches the server, and a certificate is issued only
// when the CSR names the caller (CN=<email>). Keys stay in the CA directory, mode 0600.
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isIP } from "node:net";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { Pki } from "../cluster/tls/pki.js";
import type { TlsMaterial } from "../cluster/tls/pki.js";
import { run } from "../util/exec.js";

/** Client certificates live this long; `wharf docker env` renews a lapsed one. */
export const CLIENT_CERT_DAYS = 90;

export interface SignedCert {
  pem: string;
  /** Lowercase hex, no leading zeros beyond what the certificate carries. */
  serial: string;
  fingerprint: string;
  notAfter: Date;
}

export class CsrError extends Error {}

/** Serial and SHA-256 fingerprint the way requests are matched to the store (lowercase hex). */
export function certIdentity(c: { serialNumber: string; fingerprint256: string }): {
  serial: string;
  fingerprint: string;
} {
  return {
    serial: c.serialNumber.toLowerCase().replace(/^0+(?=.)/, ""),
    fingerprint: c.fingerprint256.replace(/:/g, "").toLowerCase(),
  };
}

export class DockerCa {
  private readonly pki: Pki;

  constructor(readonly dir: string) {
    this.pki = new Pki(dir);
  }

  async ensure(): Promise<void> {
    await this.pki.ensureCa("Wharf Docker endpoint CA");
  }

  async caPem(): Promise<string> {
    await this.ensure();
    return readFile(this.pki.caCert, "utf8");
  }

  /** The endpoint's server certificate, valid for its host and the configured extra names. */
  async serverTls(names: readonly string[]): Promise<TlsMaterial> {
    await this.ensure();
    const all = [
      ...new Set(["127.0.0.1", "localhost", ...names].filter((n) => n && n !== "0.0.0.0" && n !== "::")),
    ];
    // Named by its name list, so a changed list gets a new certificate instead of the old one.
    const tag = createHash("sha256").update(all.join(",")).digest("hex").slice(0, 12);
    const name = `endpoint-${tag}`;
    await this.pki.issueServer(name, { ips: all.filter((n) => isIP(n)), dns: all.filter((n) => !isIP(n)) });
    return this.pki.load(name);
  }

  /** Signs a CSR whose subject is exactly CN=<email>; throws CsrError on anything else. */
  async sign(csrPem: string, email: string): Promise<SignedCert> {
    if (
      !/^-----BEGIN CERTIFICATE REQUEST-----[\s\S]+-----END CERTIFICATE REQUEST-----\s*$/.test(csrPem.trim())
    )
      throw new CsrError(
        "the csr field must hold one PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)",
      );
    await this.ensure();
    const dir = await mkdtemp(join(tmpdir(), "wharf-docker-csr-"));
    try {
      const csr = join(dir, "user.csr");
      const ext = join(dir, "user.ext");
      const out = join(dir, "user.pem");
      await writeFile(csr, csrPem);
      const check = await run(
        "openssl",
        ["req", "-in", csr, "-noout", "-verify", "-subject", "-nameopt", "RFC2253"],
        {
          allowFailure: true,
        },
      );
      if (check.code !== 0)
        throw new CsrError("the certificate request is malformed or its signature does not verify");
      const subject = /subject=(.*)/.exec(check.stdout)?.[1]?.trim() ?? "";
      if (subject !== `CN=${email}`)
        throw new CsrError(
          `the certificate request must name you: its subject is "${subject}", expected "CN=${email}"`,
        );
      await writeFile(
        ext,
        [
          "basicConstraints=critical,CA:FALSE",
          "keyUsage=critical,digitalSignature,keyEncipherment",
          "extendedKeyUsage=clientAuth",
        ].join("\n") + "\n",
      );
      // A random positive serial: the store keys revocation on it.
      const serial = `0x4${randomBytes(15).toString("hex")}`;
      await run("openssl", [
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        this.pki.caCert,
        "-CAkey",
        join(this.dir, "ca-key.pem"),
        "-set_serial",
        serial,
        "-days",
        String(CLIENT_CERT_DAYS),
        "-sha256",
        "-extfile",
        ext,
        "-out",
        out,
      ]);
      const pem = await readFile(out, "utf8");
      const x = new X509Certificate(pem);
      return { pem, ...certIdentity(x), notAfter: new Date(x.validTo) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
