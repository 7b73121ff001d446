// Wharf's own certificate authority: node Docker APIs and the cluster registry present
// server certificates it issues, and Wharf presents a client certificate it issues.
// Keys are written with mode 0600 and never read back into logs or output.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../util/exec.js";

export interface CertPaths {
  cert: string;
  key: string;
  ca: string;
}

/** Reads a Docker-style cert dir (ca.pem, cert.pem, key.pem), with an error naming what is missing. */
export async function loadDockerCertDir(dir: string): Promise<TlsMaterial> {
  const read = (f: string) =>
    readFile(join(dir, f)).catch(() => {
      throw new Error(`cannot read ${join(dir, f)}: a TLS dir needs ca.pem, cert.pem and key.pem`);
    });
  const [ca, cert, key] = await Promise.all([read("ca.pem"), read("cert.pem"), read("key.pem")]);
  return { ca, cert, key };
}

export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

const DAYS_CA = "3650";
const DAYS_LEAF = "825";

export class Pki {
  constructor(readonly dir: string) {}

  get caCert(): string {
    return join(this.dir, "ca.pem");
  }

  private get caKey(): string {
    return join(this.dir, "ca-key.pem");
  }

  private creatingCa: Promise<void> | undefined;

  /** Creates the CA once; later calls keep the existing one so issued certificates stay valid. */
  async ensureCa(commonName = "Wharf cluster CA"): Promise<void> {
    if (existsSync(this.caCert) && existsSync(this.caKey)) return;
    // Concurrent issuers in this process share one creation instead of racing on the key file.
    this.creatingCa ??= this.createCa(commonName).finally(() => (this.creatingCa = undefined));
    return this.creatingCa;
  }

  private async createCa(commonName: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", this.caKey]);
    await chmod(this.caKey, 0o600);
    await run("openssl", [
      "req",
      "-x509",
      "-new",
      "-key",
      this.caKey,
      "-sha256",
      "-days",
      DAYS_CA,
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-out",
      this.caCert,
    ]);
  }

  /** Paths of a leaf certificate named `name` (which may not exist yet). */
  paths(name: string): CertPaths {
    return { cert: join(this.dir, `${name}.pem`), key: join(this.dir, `${name}-key.pem`), ca: this.caCert };
  }

  /**
   * Issues (or keeps, if present) a server certificate valid for the given IPs and DNS names.
   */
  async issueServer(name: string, sans: { ips?: string[]; dns?: string[] }): Promise<CertPaths> {
    const altNames = [
      ...(sans.ips ?? []).map((ip) => `IP:${ip}`),
      ...(sans.dns ?? []).map((d) => `DNS:${d}`),
    ];
    return this.issue(name, name, [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      ...(altNames.length ? [`subjectAltName=${altNames.join(",")}`] : []),
    ]);
  }

  /** Issues (or keeps) a client certificate, used by Wharf to reach node Docker APIs. */
  async issueClient(name: string): Promise<CertPaths> {
    return this.issue(name, name, [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
    ]);
  }

  /**
   * Issues (or keeps) a signing certificate: its key signs registry tokens, and the registry
   * trusts exactly this certificate (its rootcertbundle), not the whole CA.
   */
  async issueSigner(name: string): Promise<CertPaths> {
    return this.issue(name, name, [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
    ]);
  }

  /** Copies a leaf and the CA into `dir` as ca.pem, cert.pem and key.pem (Docker's cert-path layout). */
  async exportDockerCertDir(name: string, dir: string): Promise<string> {
    const p = this.paths(name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await copyFile(p.ca, join(dir, "ca.pem"));
    await copyFile(p.cert, join(dir, "cert.pem"));
    await copyFile(p.key, join(dir, "key.pem"));
    await chmod(join(dir, "key.pem"), 0o600);
    return dir;
  }

  async load(name: string): Promise<TlsMaterial> {
    const p = this.paths(name);
    const [ca, cert, key] = await Promise.all([readFile(p.ca), readFile(p.cert), readFile(p.key)]);
    return { ca, cert, key };
  }

  private async issue(name: string, commonName: string, extensions: string[]): Promise<CertPaths> {
    const p = this.paths(name);
    if (existsSync(p.cert) && existsSync(p.key)) return p;
    await this.ensureCa();
    const csr = join(this.dir, `${name}.csr`);
    const ext = join(this.dir, `${name}.ext`);
    try {
      await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p.key]);
      await chmod(p.key, 0o600);
      await run("openssl", ["req", "-new", "-key", p.key, "-subj", `/CN=${commonName}`, "-out", csr]);
      await writeFile(ext, extensions.join("\n") + "\n");
      await run("openssl", [
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        this.caCert,
        "-CAkey",
        this.caKey,
        // A random serial, not a shared ca.srl file that concurrent issuers would corrupt.
        "-set_serial",
        `0x${randomBytes(16).toString("hex")}`,
        "-days",
        DAYS_LEAF,
        "-sha256",
        "-extfile",
        ext,
        "-out",
        p.cert,
      ]);
    } catch (err) {
      // Never leave a key without its certificate: the next call would keep a broken pair.
      await rm(p.key, { force: true });
      await rm(p.cert, { force: true });
      throw err;
    } finally {
      await rm(csr, { force: true });
      await rm(ext, { force: true });
    }
    return p;
  }
}
