// OSB flows against a real broker (@sap/sbf 6.11.2 on 127.0.0.1): catalog, sync and async
// provision (last_operation polling), bind credentials → env, unbind, deprovision; the broker's
// password and the bound credentials never appear in answers or events.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { call, harness, world, type Harness, type World } from "../api/helpers.js";

const BROKER_PASS = "sbf-broker-password-7c1d2e3f";
const CRED = "kv-cred-5a4b3c2d";
let child: ChildProcess;
let url = "";
let h: Harness;
let w: World;

async function startSbf(): Promise<void> {
  child = spawn(process.execPath, [fileURLToPath(new URL("./sbf-broker.cjs", import.meta.url))], {
    env: { ...process.env, SBF_USER: "wharf", SBF_PASS: BROKER_PASS, SBF_CRED: CRED },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let seen = "";
  child.stdout!.setEncoding("utf8");
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: string) => {
      seen += d;
      const m = /PORT (\d+)/.exec(seen);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`sbf exited with ${code}: ${seen}`)));
  });
  url = `http://127.0.0.1:${port}`;
}

before(async () => {
  await startSbf();
  h = await harness();
  w = await world(h.app);
  const r = await call(h.app, "POST", "/1.7/brokers", {
    token: w.admin,
    json: {
      Name: "sbf",
      URL: url,
      Config: { AuthConfig: { BasicAuthConfig: { username: "wharf", password: BROKER_PASS } } },
    },
  });
  assert.equal(r.status, 201, r.body);
});
after(async () => {
  await h.close();
  child.kill("SIGTERM");
  await once(child, "exit");
});

const status = async (inst: string) =>
  (await call(h.app, "GET", `/1.0/services/sbf::kv/instances/${inst}/status`, { token: w.alice })).body;

test("the broker's catalog services appear as broker::service with their plans", async () => {
  const list = await call(h.app, "GET", "/1.0/services/instances", { token: w.alice });
  assert.equal(list.status, 200, list.body);
  assert.ok((list.json() as Array<{ service: string }>).some((s) => s.service === "sbf::kv"));
  const plans = await call(h.app, "GET", "/1.0/services/sbf::kv/plans", { token: w.alice });
  assert.deepEqual(
    (plans.json() as Array<{ Name: string }>).map((p) => p.Name),
    ["small", "large"],
  );
  const brokers = await call(h.app, "GET", "/1.7/brokers", { token: w.admin });
  assert.ok(!brokers.body.includes(BROKER_PASS), "the broker password is never answered back");
});

test("a synchronous provision is ready at once and binds the broker's credentials as private env", async () => {
  const r = await call(h.app, "POST", "/1.0/services/sbf::kv/instances", {
    token: w.alice,
    form: { name: "kv1", plan: "small", owner: "blue", parameters: "" },
  });
  assert.equal(r.status, 201, r.body);
  assert.equal(await status("kv1"), 'Service instance "kv1" is succeeded');
  const b = await call(h.app, "PUT", "/1.0/services/sbf::kv/instances/kv1/blue-app", {
    token: w.alice,
    form: { noRestart: "true" },
  });
  assert.equal(b.status, 200, b.body);
  const env = await h.store.getAppEnv("blue-app");
  const inst = (await h.store.findServiceInstance("sbf::kv", "kv1"))!;
  assert.equal(env.find((v) => v.name === "KV_URL")!.value, `kv://app:${CRED}@127.0.0.1:7000/${inst.uuid}`);
  assert.equal(env.find((v) => v.name === "KV_PORT")!.value, "7000", "integers become decimal text");
  assert.ok(env.every((v) => !v.public));
  const u = await call(h.app, "DELETE", "/1.0/services/sbf::kv/instances/kv1/blue-app?noRestart=true", {
    token: w.alice,
  });
  assert.equal(u.status, 200, u.body);
  assert.deepEqual(await h.store.getAppEnv("blue-app"), []);
  const d = await call(h.app, "DELETE", "/1.0/services/sbf::kv/instances/kv1", { token: w.alice });
  assert.equal(d.status, 200, d.body);
  assert.equal(await h.store.findServiceInstance("sbf::kv", "kv1"), null);
});

test("an asynchronous provision is polled through last_operation and can't be bound until it succeeds", async () => {
  const r = await call(h.app, "POST", "/1.0/services/sbf::kv/instances", {
    token: w.alice,
    form: { name: "kv2", plan: "large", owner: "blue", "parameters.async": "true" },
  });
  assert.equal(r.status, 201, r.body);
  assert.equal((await h.store.findServiceInstance("sbf::kv", "kv2"))!.state, "provisioning");
  assert.equal(await status("kv2"), 'Service instance "kv2" is in progress - creating');
  const early = await call(h.app, "PUT", "/1.0/services/sbf::kv/instances/kv2/blue-app", {
    token: w.alice,
    form: { noRestart: "true" },
  });
  assert.equal(early.status, 412, early.body);
  assert.match(early.body, /not ready yet/);
  assert.deepEqual(await h.store.getAppEnv("blue-app"), []);
  let s = "";
  for (let i = 0; i < 100 && !s.endsWith("succeeded"); i++) {
    await sleep(50);
    s = await status("kv2");
  }
  assert.equal(s, 'Service instance "kv2" is succeeded');
  const b = await call(h.app, "PUT", "/1.0/services/sbf::kv/instances/kv2/blue-app", {
    token: w.alice,
    form: { noRestart: "true" },
  });
  assert.equal(b.status, 200, b.body);
  assert.deepEqual(
    (await h.store.getAppEnv("blue-app")).map((v) => v.name),
    ["KV_PORT", "KV_URL", "TSURU_SERVICES"],
  );
  const d = await call(h.app, "DELETE", "/1.0/services/sbf::kv/instances/kv2?unbindall=true", {
    token: w.alice,
  });
  assert.equal(d.status, 200, d.body);
  assert.deepEqual(await h.store.getAppEnv("blue-app"), []);
  const events = JSON.stringify(await h.store.listEvents({}));
  assert.ok(!events.includes(CRED) && !events.includes(BROKER_PASS), "no secret in events");
});

test("a broker refusing our credentials is a clear 502 that does not repeat the password", async () => {
  const r = await call(h.app, "PUT", "/1.7/brokers/sbf", {
    token: w.admin,
    json: {
      URL: url,
      Config: { AuthConfig: { BasicAuthConfig: { username: "wharf", password: "wrong-pass-123" } } },
    },
  });
  assert.equal(r.status, 200, r.body);
  try {
    const c = await call(h.app, "POST", "/1.0/services/sbf::kv/instances", {
      token: w.alice,
      form: { name: "kv3", plan: "small", owner: "blue" },
    });
    assert.equal(c.status, 502, c.body);
    assert.match(c.body, /broker "sbf" failed catalog .*code: 401/);
    assert.ok(!c.body.includes("wrong-pass-123") && !c.body.includes(BROKER_PASS));
    assert.equal(await h.store.findServiceInstance("sbf::kv", "kv3"), null);
  } finally {
    await call(h.app, "PUT", "/1.7/brokers/sbf", {
      token: w.admin,
      json: {
        URL: url,
        Config: { AuthConfig: { BasicAuthConfig: { username: "wharf", password: BROKER_PASS } } },
      },
    });
  }
});
