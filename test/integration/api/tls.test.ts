// The API's TLS module with real clients: HTTPS with a certificate from Wharf's CA by
// default, verified by node's client, curl, openssl and the wharf CLI's client given the CA
// (wharf target add --cacert); refused by each of them without it. An operator's own pair
// replaces it and is reloaded on change without a restart. Plain HTTP only on loopback.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Fastify, { type FastifyInstance } from "fastify";
import type { Server as HttpsServer } from "node:https";
import { apiTls } from "../../../src/api/tls.js";
import { Pki } from "../../../src/cluster/tls/pki.js";
import { ApiClient } from "../../../src/cli/client/http.js";
import { saveTrustedCa } from "../../../src/cli/client/trust.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "wharf-api-tls-"));
const apps: FastifyInstance[] = [];

after(async () => {
  for (const a of apps) await a.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(
  tls: Awaited<ReturnType<typeof apiTls>>,
): Promise<{ url: string; app: FastifyInstance }> {
  const app = Fastify({ ...tls.fastifyOptions } as Parameters<
    typeof Fastify
  >[0]) as unknown as FastifyInstance;
  app.get("/1.0/info", async () => ({ ok: true }));
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  apps.push(app);
  return { url, app };
}

function nodeGet(url: string, ca?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    // agent: false, so each call makes a new TLS connection (no reuse across a reload).
    get(url, { agent: false, ...(ca ? { ca } : {}) }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

async function curl(url: string, ca?: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run("curl", ["-sS", ...(ca ? ["--cacert", ca] : []), `${url}/1.0/info`]);
    return { code: 0, out: r.stdout };
  } catch (e) {
    return { code: (e as { code: number }).code, out: String((e as { stderr: string }).stderr) };
  }
}

describe("API TLS", () => {
  test("loopback without TLS settings stays plain HTTP; plain HTTP elsewhere is refused", async () => {
    const plain = await apiTls({ host: "127.0.0.1", mode: "auto", pkiDir: join(dir, "pki0") });
    assert.equal(plain.scheme, "http");
    await assert.rejects(
      apiTls({ host: "0.0.0.0", mode: "off", pkiDir: join(dir, "pki0") }),
      /refusing plain HTTP/,
    );
    assert.equal(
      (await apiTls({ host: "0.0.0.0", mode: "auto", pkiDir: join(dir, "pki0") })).scheme,
      "https",
    );
  });

  test("Wharf's CA certificate: clients given the CA connect, clients without it are refused", async () => {
    const tls = await apiTls({ host: "127.0.0.1", mode: "on", pkiDir: join(dir, "pki1") });
    assert.equal(tls.scheme, "https");
    const caFile = join(dir, "pki1", "ca.pem");
    assert.deepEqual(tls.caBundle, readFileSync(caFile));
    const { url } = await serve(tls);
    assert.match(url, /^https:/);
    assert.equal(await nodeGet(`${url}/1.0/info`, tls.caBundle!), '{"ok":true}');
    await assert.rejects(nodeGet(`${url}/1.0/info`), /self[- ]signed|unable to verify|SELF_SIGNED/i);
    assert.deepEqual(await curl(url, caFile), { code: 0, out: '{"ok":true}' });
    const refused = await curl(url);
    assert.equal(refused.code, 60, `curl without the CA: ${refused.out}`);
    const port = new URL(url).port;
    const ossl = await run("sh", [
      "-c",
      `echo | openssl s_client -connect 127.0.0.1:${port} -CAfile ${caFile} -verify_return_error -verify_ip 127.0.0.1 2>&1`,
    ]);
    assert.match(ossl.stdout, /Verify return code: 0 \(ok\)/);
    const osslNoCa = await run("sh", [
      "-c",
      `echo | openssl s_client -connect 127.0.0.1:${port} -CAfile /dev/null -verify_return_error 2>&1; true`,
    ]);
    assert.doesNotMatch(osslNoCa.stdout, /Verify return code: 0 \(ok\)/);

    // The wharf CLI's client: refused until the target's CA is kept (target add --cacert).
    const home = join(dir, "cli-home");
    const env = process.env.WHARF_HOME;
    process.env.WHARF_HOME = home;
    try {
      const client = new ApiClient({ target: url });
      await assert.rejects(
        client.request("GET", "/info"),
        /does not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*--cacert/,
      );
      await saveTrustedCa(url, readFileSync(caFile, "utf8"), { WHARF_HOME: home });
      assert.equal(await (await client.request("GET", "/info")).body.text(), '{"ok":true}');
    } finally {
      if (env === undefined) delete process.env.WHARF_HOME;
      else process.env.WHARF_HOME = env;
    }
  });

  test("an operator's certificate replaces the default and is reloaded when its files change", async () => {
    const opA = new Pki(join(dir, "operator-a"));
    const opB = new Pki(join(dir, "operator-b"));
    const a = await opA.issueServer("api", { ips: ["127.0.0.1"] });
    const b = await opB.issueServer("api", { ips: ["127.0.0.1"] });
    const certFile = join(dir, "live-cert.pem");
    const keyFile = join(dir, "live-key.pem");
    copyFileSync(a.cert, certFile);
    copyFileSync(a.key, keyFile);
    const tls = await apiTls({
      host: "127.0.0.1",
      mode: "auto",
      pkiDir: join(dir, "pki2"),
      certFile,
      keyFile,
    });
    assert.equal(tls.scheme, "https", "an operator's certificate turns TLS on even on loopback");
    assert.equal(tls.caBundle, null);
    const { url, app } = await serve(tls);
    let copied = false;
    const reloaded = new Promise<void>((resolve) => {
      const stop = tls.watch(app.server as HttpsServer, (err) => {
        // Polled file changes arrive after both copies: the first clean load is the new pair.
        if (!err && copied) {
          stop();
          resolve();
        }
      });
    });
    assert.equal(await nodeGet(`${url}/1.0/info`, readFileSync(a.ca)), '{"ok":true}');
    await assert.rejects(nodeGet(`${url}/1.0/info`, readFileSync(b.ca)));
    copyFileSync(b.key, keyFile);
    copyFileSync(b.cert, certFile);
    copied = true;
    await reloaded;
    assert.equal(
      await nodeGet(`${url}/1.0/info`, readFileSync(b.ca)),
      '{"ok":true}',
      "the new certificate, same server",
    );
    await assert.rejects(nodeGet(`${url}/1.0/info`, readFileSync(a.ca)));
  });

  test("half a pair is refused", async () => {
    await assert.rejects(
      apiTls({ host: "0.0.0.0", mode: "on", pkiDir: join(dir, "pki3"), certFile: "/x" }),
      /both/,
    );
  });
});
