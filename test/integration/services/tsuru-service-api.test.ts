// Services through the API against a real HTTP service API: manifest registration, team
// access, instances, bind/unbind into the app's env (TSURU_SERVICES too), and broker failures
// leaving nothing half-done with the password never shown.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call, harness, world, type Harness, type World } from "../api/helpers.js";
import { fakeServiceApi, type FakeServiceApi } from "./fake-service-api.js";

let h: Harness;
let w: World;
let api: FakeServiceApi;
const PASSWORD = "manifest-pass-9f8e7d";
const restarts: string[] = [];

before(async () => {
  process.env.WHARF_SERVICE_TIMEOUT_MS = "1500";
  h = await harness();
  w = await world(h.app);
  api = await fakeServiceApi();
  (h.app as unknown as { ctx: { runtime: unknown } }).ctx.runtime = {
    restartApp: async (app: string, out: (l: string) => void) => {
      restarts.push(app);
      out(`restarting ${app}\n`);
    },
    buildPlatform: async () => "",
    removeAppUnits: async () => undefined,
  };
  const r = await call(h.app, "POST", "/1.0/services", {
    token: w.admin,
    form: { id: "mysql", username: "mysql-user", password: PASSWORD, endpoint: api.url, team: "blue" },
  });
  assert.equal(r.status, 201, r.body);
});
after(async () => {
  await h.close();
  await api.close();
});

const env = async (app: string) =>
  (await call(h.app, "GET", `/1.0/apps/${app}/env`, { token: w.admin })).json() as Array<{
    name: string;
    value: string;
    alias: string;
    public: boolean;
  }>;

test("a registered service is shown to its team with plans and never reveals its password", async () => {
  const list = await call(h.app, "GET", "/1.0/services/instances", { token: w.alice });
  assert.equal(list.status, 200, list.body);
  assert.deepEqual(list.json(), [{ service: "mysql", instances: [], plans: [], service_instances: [] }]);
  assert.equal((await call(h.app, "GET", "/1.0/services/instances", { token: w.bob })).status, 204);
  const plans = await call(h.app, "GET", "/1.0/services/mysql/plans", { token: w.alice });
  assert.deepEqual(plans.json(), [{ Name: "small", Description: "a small db", Schemas: null }]);
  assert.equal(api.seen.at(-1)!.auth, `Basic ${Buffer.from(`mysql-user:${PASSWORD}`).toString("base64")}`);
  const dump = JSON.stringify(await h.store.listServices());
  assert.ok(!dump.includes(PASSWORD), "the store holds the password sealed only");
  const events = JSON.stringify(await h.store.listEvents({}));
  assert.ok(!events.includes(PASSWORD));
});

test("granting a team lets it see the service; a duplicate manifest id is a 409", async () => {
  assert.equal((await call(h.app, "PUT", "/1.0/services/mysql/team/red", { token: w.admin })).status, 200);
  assert.equal((await call(h.app, "GET", "/1.0/services/instances", { token: w.bob })).status, 200);
  assert.equal((await call(h.app, "DELETE", "/1.0/services/mysql/team/red", { token: w.admin })).status, 200);
  assert.equal((await call(h.app, "GET", "/1.0/services/instances", { token: w.bob })).status, 204);
  const dup = await call(h.app, "POST", "/1.0/services", {
    token: w.admin,
    form: { id: "mysql", username: "u", password: "p", endpoint: api.url, team: "blue" },
  });
  assert.equal(dup.status, 409);
  const bad = await call(h.app, "POST", "/1.0/services", {
    token: w.admin,
    form: { id: "x1", username: "u", password: "p", endpoint: "ftp://nope", team: "blue" },
  });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /http:\/\/ or https:\/\//);
});

test("an instance is created at the service API with its fields, and shown with info and status", async () => {
  const r = await call(h.app, "POST", "/1.0/services/mysql/instances", {
    token: w.alice,
    form: {
      name: "db1",
      plan: "small",
      owner: "blue",
      description: "main db",
      tag: ["t1", "t2"],
      "parameters.size": "3",
    },
  });
  assert.equal(r.status, 201, r.body);
  const sent = api.seen.find((s) => s.method === "POST" && s.path === "/resources")!;
  assert.equal(sent.fields.get("name"), "db1");
  assert.equal(sent.fields.get("team"), "blue");
  assert.equal(sent.fields.get("plan"), "small");
  assert.deepEqual(sent.fields.getAll("tags"), ["t1", "t2"]);
  assert.equal(sent.fields.get("parameters.size"), "3");
  assert.match(sent.fields.get("eventid") ?? "", /^[0-9a-f]{24}$/);
  const info = await call(h.app, "GET", "/1.0/services/mysql/instances/db1", { token: w.alice });
  assert.equal(info.status, 200, info.body);
  const i = info.json() as Record<string, unknown>;
  assert.equal(i.PlanName, "small");
  assert.equal(i.PlanDescription, "a small db");
  assert.deepEqual(i.CustomInfo, { Address: "10.0.0.9" });
  assert.deepEqual(i.Tags, ["t1", "t2"]);
  const st = await call(h.app, "GET", "/1.0/services/mysql/instances/db1/status", { token: w.alice });
  assert.equal(st.body, 'Service instance "db1" is up');
  assert.equal((await call(h.app, "GET", "/1.0/services/mysql/instances/db1", { token: w.bob })).status, 404);
  const dup = await call(h.app, "POST", "/1.0/services/mysql/instances", {
    token: w.alice,
    form: { name: "db1", owner: "blue" },
  });
  assert.equal(dup.status, 409);
});

test("binding stores the service's variables as private app env with TSURU_SERVICES and restarts the app", async () => {
  const r = await call(h.app, "PUT", "/1.0/services/mysql/instances/db1/blue-app", {
    token: w.alice,
    form: { noRestart: "false" },
  });
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /is now bound to the app \\"blue-app\\"/);
  assert.deepEqual(restarts, ["blue-app"]);
  const vars = await env("blue-app");
  const db = vars.find((v) => v.name === "DB_URL")!;
  assert.equal(db.public, false);
  assert.equal(db.alias, "db1");
  assert.notEqual(db.value, api.bindEnv.DB_URL, "private values are masked on read");
  assert.ok(vars.some((v) => v.name === "TSURU_SERVICES" && !v.public));
  const stored = await h.store.getAppEnv("blue-app");
  assert.deepEqual(JSON.parse(stored.find((v) => v.name === "TSURU_SERVICES")!.value), {
    mysql: [{ instance_name: "db1", envs: { DB_URL: api.bindEnv.DB_URL } }],
  });
  const bound = await call(h.app, "GET", "/1.0/services/instances?app=blue-app", { token: w.alice });
  assert.deepEqual((bound.json() as Array<{ instances: string[] }>)[0]!.instances, ["db1"]);
  assert.equal(
    (await call(h.app, "PUT", "/1.0/services/mysql/instances/db1/blue-app", { token: w.alice, form: {} }))
      .status,
    409,
  );
});

test("unbinding removes exactly the bound variables and keeps the user's own", async () => {
  await call(h.app, "POST", "/1.0/apps/blue-app/env", {
    token: w.alice,
    form: { "Envs.0.Name": "MINE", "Envs.0.Value": "v", NoRestart: "true" },
  });
  const r = await call(h.app, "DELETE", "/1.0/services/mysql/instances/db1/blue-app?noRestart=true", {
    token: w.alice,
  });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(
    (await env("blue-app")).map((v) => v.name),
    ["MINE"],
  );
  assert.equal(api.seen.at(-1)!.method, "DELETE");
  assert.equal(api.seen.at(-1)!.fields.get("app-name"), "blue-app");
});

for (const [fault, status, pattern] of [
  ["500", 502, /invalid response: database exploded \(code: 500\)/],
  ["malformed", 502, /malformed JSON/],
  ["412", 412, /not ready/],
  ["hang", 502, /no answer within 1\.5s/],
] as const)
  test(`a bind the service API answers with ${fault} fails clearly, leaves env unchanged and records the failure`, async () => {
    api.faults.set("POST /resources/db1/bind-app", fault);
    try {
      const before = await h.store.getAppEnv("blue-app");
      const r = await call(h.app, "PUT", "/1.0/services/mysql/instances/db1/blue-app", {
        token: w.alice,
        form: {},
      });
      assert.equal(r.status, status, r.body);
      assert.match(r.body, pattern);
      assert.ok(!r.body.includes(PASSWORD) && !r.body.includes("s3cret-pass"), r.body);
      assert.deepEqual(await h.store.getAppEnv("blue-app"), before);
      assert.deepEqual(await h.store.listServiceBindings({ app: "blue-app" }), []);
      const ev = (await h.store.listEvents({})).find(
        (e) => e.kind.name === "app.update.bind" && e.error !== "",
      );
      assert.ok(ev, "a failed bind event is recorded");
      assert.match(ev.error, pattern);
      const all = JSON.stringify(await h.store.listEvents({}));
      assert.ok(!all.includes(PASSWORD) && !all.includes("s3cret-pass"));
    } finally {
      api.faults.delete("POST /resources/db1/bind-app");
    }
  });

test("a service API that is down fails an instance create clearly and leaves no instance", async () => {
  const down = await fakeServiceApi();
  await down.close();
  await call(h.app, "PUT", "/1.0/services/mysql", {
    token: w.admin,
    form: { id: "mysql", username: "mysql-user", password: PASSWORD, endpoint: down.url, team: "blue" },
  });
  try {
    const r = await call(h.app, "POST", "/1.0/services/mysql/instances", {
      token: w.alice,
      form: { name: "db2", owner: "blue" },
    });
    assert.equal(r.status, 502, r.body);
    assert.match(r.body, /could not be reached .*connection refused/);
    assert.equal(await h.store.findServiceInstance("mysql", "db2"), null);
  } finally {
    await call(h.app, "PUT", "/1.0/services/mysql", {
      token: w.admin,
      form: { id: "mysql", username: "mysql-user", password: PASSWORD, endpoint: api.url, team: "blue" },
    });
  }
});

test("a bound instance is removed only with unbindall, which unbinds its apps first", async () => {
  await call(h.app, "PUT", "/1.0/services/mysql/instances/db1/blue-app", {
    token: w.alice,
    form: { noRestart: "true" },
  });
  const refused = await call(h.app, "DELETE", "/1.0/services/mysql/instances/db1", { token: w.alice });
  assert.equal(refused.status, 400);
  assert.match(refused.body, /bound to at least one app/);
  const r = await call(h.app, "DELETE", "/1.0/services/mysql/instances/db1?unbindall=true", {
    token: w.alice,
  });
  assert.equal(r.status, 200, r.body);
  assert.equal(await h.store.findServiceInstance("mysql", "db1"), null);
  assert.deepEqual(
    (await env("blue-app")).map((v) => v.name),
    ["MINE"],
  );
  assert.equal((await call(h.app, "DELETE", "/1.0/services/mysql", { token: w.admin })).status, 200);
});
