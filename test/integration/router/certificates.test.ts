import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "node:https";
import { pino } from "pino";
import { call, harness, world, type Harness, type World } from "../api/helpers.js";
import { setCertificateKeyFile } from "../../../src/domain/services/certificates.js";
import { loadSecretKey, unseal } from "../../../src/router/secret-box.js";
import { startStoreRouter, type StoreRouter } from "../../../src/router/store-router.js";
import { backendOf, startBackend, type TestBackend } from "./helpers.js";
import { eventually, makeCert, peerCert } from "./cert-helpers.js";

let h: Harness & { app: Harness["app"] & { ctx: Parameters<typeof setCertificateKeyFile>[0] } };
let w: World;
let keyFile: string;
let one: { cert: string; key: string };
let two: { cert: string; key: string };

before(async () => {
  h = (await harness()) as typeof h;
  keyFile = join(h.dir, "secret.key");
  setCertificateKeyFile(h.app.ctx, keyFile);
  w = await world(h.app);
  const add = await call(h.app, "POST", "/1.0/apps/blue-app/cname", {
    token: w.alice,
    form: { cname: ["one.example", "two.example"] },
  });
  assert.equal(add.status, 200, add.body);
  one = makeCert(h.dir, "one.example");
  two = makeCert(h.dir, "two.example");
});
after(() => h.close());

const put = (token: string, form: Record<string, string>, app = "blue-app") =>
  call(h.app, "PUT", `/1.2/apps/${app}/certificate`, { token, form });

test("certificate set stores the key encrypted at rest, list shows certificates and never a key", async () => {
  const r = await put(w.alice, { cname: "one.example", certificate: one.cert, key: one.key });
  assert.equal(r.status, 200, r.body);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, "secret key file is 0600");

  const row = await h.store.findCertificate("one.example");
  assert.ok(row);
  assert.equal(row.app, "blue-app");
  assert.ok(!row.keyEncrypted.includes("PRIVATE KEY"), "key not stored in clear");
  assert.equal(unseal(loadSecretKey(keyFile), row.keyEncrypted), one.key);

  const list = await call(h.app, "GET", "/1.2/apps/blue-app/certificate", { token: w.alice });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json(), { wharf: { "one.example": one.cert, "two.example": "" } });
  assert.ok(!list.body.includes("PRIVATE KEY"));

  const events = await h.store.listEvents({ target: { type: "app", value: "blue-app" } } as never);
  const setEv = events.find((e) => e.kind.name === "app.update.certificate.set");
  assert.ok(setEv, "an event records the change");
  assert.ok(!JSON.stringify(setEv).includes("PRIVATE KEY"), "the event holds no key");

  const del = await call(h.app, "DELETE", "/1.2/apps/blue-app/certificate?cname=one.example", {
    token: w.alice,
  });
  assert.equal(del.status, 200, del.body);
  const after = await call(h.app, "GET", "/1.2/apps/blue-app/certificate", { token: w.alice });
  assert.deepEqual(after.json(), { wharf: { "one.example": "", "two.example": "" } });
  const again = await call(h.app, "DELETE", "/1.2/apps/blue-app/certificate?cname=one.example", {
    token: w.alice,
  });
  assert.equal(again.status, 404);
});

test("invalid certificates, keys and cnames are refused with 400 and a sentence saying why", async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ cname: "nope.example", certificate: one.cert, key: one.key }, /not set on app.*cname-add/],
    [{ cname: "one.example", certificate: "garbage", key: one.key }, /not a valid PEM X\.509/],
    [
      { cname: "one.example", certificate: one.cert, key: "garbage" },
      /not a valid unencrypted PEM private key/,
    ],
    [{ cname: "one.example", certificate: one.cert, key: two.key }, /does not match the certificate/],
    [{ cname: "two.example", certificate: one.cert, key: one.key }, /not valid for "two.example"/],
    [{ cname: "", certificate: one.cert, key: one.key }, /provide the cname/],
  ];
  for (const [form, msg] of cases) {
    const r = await put(w.alice, form);
    assert.equal(r.status, 400, `${JSON.stringify(form.cname)}: ${r.body}`);
    assert.match(r.body, msg);
    assert.ok(!r.body.includes("PRIVATE KEY"), "errors never echo the key");
  }
  // The one-day certificate seen from three days later is expired.
  const realNow = h.app.ctx.now;
  h.app.ctx.now = () => new Date(Date.now() + 3 * 86_400_000);
  try {
    const r = await put(w.alice, { cname: "one.example", certificate: one.cert, key: one.key });
    assert.equal(r.status, 400);
    assert.match(r.body, /expired/);
  } finally {
    h.app.ctx.now = realNow;
  }
  assert.equal(await h.store.findCertificate("one.example"), null, "nothing was stored");
});

test("only users allowed on the app can set, unset or list its certificates", async () => {
  const r = await put(w.bob, { cname: "one.example", certificate: one.cert, key: one.key });
  assert.equal(r.status, 403);
  const l = await call(h.app, "GET", "/1.2/apps/blue-app/certificate", { token: w.bob });
  assert.equal(l.status, 403);
  const d = await call(h.app, "DELETE", "/1.2/apps/blue-app/certificate?cname=one.example", { token: w.bob });
  assert.equal(d.status, 403);
  const anon = await put("", { cname: "one.example", certificate: one.cert, key: one.key });
  assert.equal(anon.status, 401);
});

test("a router following the store serves each cname's uploaded certificate by SNI, and drops it on unset", async () => {
  let backend: TestBackend | undefined;
  let router: StoreRouter | undefined;
  try {
    backend = await startBackend("blue");
    const b = backend;
    router = await startStoreRouter({
      store: h.store,
      domain: "wharf.test",
      http: { host: "127.0.0.1", port: 0 },
      https: { host: "127.0.0.1", port: 0 },
      workers: 1,
      secretKeyPath: keyFile,
      loadSnapshot: async () => ({
        apps: [{ app: "blue-app", cnames: ["one.example", "two.example"], backends: [backendOf(b)] }],
      }),
      log: pino({ level: "silent" }),
      pollIntervalMs: 100,
    });
    const port = router.addresses.https!.port;
    for (const [cname, pair] of [
      ["one.example", one],
      ["two.example", two],
    ] as const) {
      const r = await put(w.alice, { cname, certificate: pair.cert, key: pair.key });
      assert.equal(r.status, 200, r.body);
    }
    for (const cname of ["one.example", "two.example"]) {
      await eventually(async () => {
        const c = await peerCert(port, cname);
        return !(c instanceof Error) && c.subject?.CN === cname;
      }, `the certificate of ${cname}`);
    }
    // A verified HTTPS request to a cname reaches the app's unit.
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          servername: "two.example",
          headers: { host: "two.example" },
          ca: two.cert,
        },
        (res) => {
          let s = "";
          res.on("data", (d) => (s += d));
          res.on("end", () => resolve(s));
        },
      );
      req.on("error", reject);
      req.end();
    });
    assert.equal(body, "blue");

    const del = await call(h.app, "DELETE", "/1.2/apps/blue-app/certificate?cname=one.example", {
      token: w.alice,
    });
    assert.equal(del.status, 200);
    await eventually(
      async () => (await peerCert(port, "one.example")) instanceof Error,
      "one.example dropped",
    );
    const still = await peerCert(port, "two.example");
    assert.ok(!(still instanceof Error) && still.subject.CN === "two.example");
    assert.ok(!readFileSync(keyFile, "utf8").includes("PRIVATE"), "the key file holds only the secret key");
  } finally {
    await router?.close();
    await backend?.close();
  }
});
