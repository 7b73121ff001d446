import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { connect, type PeerCertificate } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StaticCertificateSource } from "../../../src/router/index.js";
import { backendOf, startBackend, startRouter, type TestBackend } from "./helpers.js";

let dir: string;
let backend: TestBackend;
let router: Awaited<ReturnType<typeof startRouter>>;
let httpsPort: number;
const certs = new StaticCertificateSource();

/** Self-signed certificate for one name, made by openssl into the temp dir. */
function makeCert(name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-addext",
      `subjectAltName=DNS:${name}`,
      "-keyout",
      key,
      "-out",
      crt,
    ],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(crt, "utf8"), key: readFileSync(key, "utf8") };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "wharf-router-tls-"));
  certs.set("one.example", makeCert("one.example"));
  certs.set("two.example", makeCert("two.example"));
  backend = await startBackend("tls-app");
  router = await startRouter({ https: { port: 0, host: "127.0.0.1" }, certificates: certs });
  httpsPort = router.addresses.https!.port;
  router.snapshot({
    apps: [{ app: "site", backends: [backendOf(backend)], cnames: ["one.example", "two.example"] }],
  });
});
after(async () => {
  await router.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

function peerCert(servername: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: httpsPort, servername, rejectUnauthorized: false }, () => {
      const c = s.getPeerCertificate();
      s.end();
      resolve(c);
    });
    s.on("error", reject);
  });
}

test("SNI serves the right certificate for each of two cnames", async () => {
  assert.equal((await peerCert("one.example")).subject.CN, "one.example");
  assert.equal((await peerCert("two.example")).subject.CN, "two.example");
});

test("HTTPS requests are verified against the cname's certificate and proxied with X-Forwarded-Proto https", async () => {
  const ca = certs.get("two.example")!.cert;
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: httpsPort, servername: "two.example", headers: { host: "two.example" }, ca },
      (res) => {
        let s = "";
        res.on("data", (c) => (s += c));
        res.on("end", () => resolve(s));
      },
    );
    req.on("error", reject);
    req.end();
  });
  assert.equal(body, "tls-app");
  assert.equal(backend.lastHeaders!["x-forwarded-proto"], "https");
});

test("a replaced certificate is served on the next handshake without restart", async () => {
  certs.set("one.example", makeCert("one.example"));
  const before = (await peerCert("one.example")).fingerprint256;
  certs.set("one.example", makeCert("one.example"));
  const afterCert = (await peerCert("one.example")).fingerprint256;
  assert.notEqual(before, afterCert);
});
