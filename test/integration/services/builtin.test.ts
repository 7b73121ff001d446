// Wharf's built-in PostgreSQL and Redis services through the API, on a real 2-node cluster:
// instances provisioned as containers on their own volumes, bound apps getting logins of their
// own (dropped at unbind), data kept across a lost container and a removal without --purge,
// provisions resumed by a restarted server, orphans swept, failures leaving nothing
// half-done, and no password in events, error sentences or the containers' config.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import type Docker from "dockerode";
import { down, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { call, harness, world, type Harness, type World } from "../api/helpers.js";
import { hostEngine, testLayout } from "../../support/dev-cluster.js";
import { ensureHostServiceImage } from "../../support/service-image.js";
import { pullImage } from "../../support/engines.js";
import type { BuiltinServices } from "../../../src/services/builtin/index.js";
import { builtinFor, capturingLogger, engines, redisInline, sleep } from "./builtin-helpers.js";

const l = testLayout();
let info: DevClusterInfo;
let h: Harness;
let w: World;
let svc: BuiltinServices;
let nodes: ReturnType<typeof engines>;

const restarts: string[] = [];
// Every credential the tests saw (bound env, instances' own passwords) and every line the
// built-in services logged: the last test checks that none of the first is in the second.
const seenSecrets = new Set<string>();
const logged = capturingLogger();

before(async () => {
  info = await up(2, l);
  await Promise.all([
    ensureHostServiceImage(hostEngine(), "postgresql", info.registry),
    ensureHostServiceImage(hostEngine(), "redis", info.registry),
  ]);
  h = await harness();
  w = await world(h.app);
  nodes = engines(info);
  for (const n of info.nodes)
    await h.store.createNode({
      address: `https://${n.address}:2376`,
      pool: "default",
      metadata: {},
      engineId: n.name,
      engineName: n.name,
      labels: {},
      cpus: 2,
      memory: 4 * 2 ** 30,
      disabled: false,
    });
  const ctx = (h.app as unknown as { ctx: import("../../../src/domain/services/context.js").Ctx }).ctx;
  ctx.runtime = {
    restartApp: async (app: string, out: (l: string) => void) => {
      restarts.push(app);
      out(`restarting ${app}\n`);
    },
    buildPlatform: async () => "",
    removeAppUnits: async () => undefined,
    checkDrain: async () => 0,
    drainNode: async () => undefined,
  };
  svc = builtinFor(ctx, info, {}, logged.log);
  ctx.builtin = svc;
});

after(async () => {
  await svc?.stop();
  await h?.close();
  await down(l);
});

const ctxOf = () => (h.app as unknown as { ctx: import("../../../src/domain/services/context.js").Ctx }).ctx;

async function status(service: string, name: string): Promise<string> {
  return (await call(h.app, "GET", `/1.0/services/${service}/instances/${name}/status`, { token: w.alice }))
    .body;
}

async function waitStatus(service: string, name: string, want: RegExp): Promise<string> {
  let s = "";
  for (let i = 0; i < 600 && !want.test(s); i++) {
    s = await status(service, name);
    if (!want.test(s)) await sleep(250);
  }
  assert.match(s, want);
  return s;
}

async function create(service: string, name: string, plan = "small"): Promise<void> {
  const r = await call(h.app, "POST", `/1.0/services/${service}/instances`, {
    token: w.alice,
    form: { name, plan, owner: "blue", parameters: "" },
  });
  assert.equal(r.status, 201, r.body);
}

async function row(service: string, name: string) {
  const inst = (await h.store.findServiceInstance(service, name))!;
  const c = (await h.store.findServiceContainer(inst.uuid))!;
  seenSecrets.add((JSON.parse(svc.runtime.deps.unseal(c.secretsSealed)) as { password: string }).password);
  return c;
}

async function env(app: string): Promise<Record<string, string>> {
  const vars = await h.store.getAppEnv(app);
  for (const v of vars) if (/PASSWORD|_URL$/.test(v.name)) seenSecrets.add(v.value);
  return Object.fromEntries(vars.map((v) => [v.name, v.value]));
}

const engineOf = (node: string): Docker => nodes.byAddress.get(node)!;

async function pgQuery(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

test("the built-in services are listed to every team with their plans and doc", async () => {
  const list = (await call(h.app, "GET", "/1.0/services/instances", { token: w.bob })).json() as Array<{
    service: string;
  }>;
  assert.deepEqual(
    list.map((s) => s.service),
    ["postgresql", "redis"],
  );
  const plans = (
    await call(h.app, "GET", "/1.0/services/postgresql/plans", { token: w.bob })
  ).json() as Array<{
    Name: string;
  }>;
  assert.deepEqual(
    plans.map((p) => p.Name),
    ["small", "medium", "large"],
  );
  assert.match((await call(h.app, "GET", "/1.0/services/redis/doc", { token: w.bob })).body, /REDIS_URL/);
  const clash = await call(h.app, "POST", "/1.0/services", {
    token: w.admin,
    form: { id: "postgresql", username: "u", password: "p", endpoint: "http://127.0.0.1:1", team: "blue" },
  });
  assert.equal(clash.status, 409);
  const upd = await call(h.app, "DELETE", "/1.0/services/redis", { token: w.admin });
  assert.equal(upd.status, 400);
  assert.match(upd.body, /built into Wharf/);
});

test("a PostgreSQL instance is pending, then up; bind gives the app a role of its own whose data a second app shares; unbind drops it", async () => {
  await create("postgresql", "orders");
  assert.match(await status("postgresql", "orders"), /is (pending|up)$/);
  const early = await call(h.app, "PUT", "/1.0/services/postgresql/instances/orders/blue-app", {
    token: w.alice,
    form: { noRestart: "true" },
  });
  if (early.status !== 200) {
    assert.equal(early.status, 412, early.body);
    assert.match(early.body, /not ready yet/);
    assert.deepEqual(await env("blue-app"), {}, "a refused bind leaves the env unchanged");
  }
  await waitStatus("postgresql", "orders", /is up$/);
  if (early.status === 200) {
    const u = await call(
      h.app,
      "DELETE",
      "/1.0/services/postgresql/instances/orders/blue-app?noRestart=true",
      {
        token: w.alice,
      },
    );
    assert.equal(u.status, 200, u.body);
  }
  const b = await call(h.app, "PUT", "/1.0/services/postgresql/instances/orders/blue-app", {
    token: w.alice,
    form: { noRestart: "false" },
  });
  assert.equal(b.status, 200, b.body);
  assert.match(b.body, /DATABASE_URL/);
  assert.ok(restarts.includes("blue-app"));
  const e = await env("blue-app");
  const c = await row("postgresql", "orders");
  const host = new URL(c.node).hostname;
  assert.equal(e.PGHOST, host);
  assert.equal(e.PGPORT, String(c.hostPort));
  assert.equal(e.PGDATABASE, "orders");
  assert.equal(e.DATABASE_URL, `postgres://${e.PGUSER}:${e.PGPASSWORD}@${host}:${c.hostPort}/orders`);
  assert.ok(
    (await h.store.getAppEnv("blue-app")).every((v) => !v.public),
    "service variables are private",
  );
  await pgQuery(e.DATABASE_URL!, "CREATE TABLE items (name text)");
  await pgQuery(e.DATABASE_URL!, "INSERT INTO items VALUES ($1)", ["first"]);

  // Another team's app, once the instance is granted to its team, gets another role on the same data.
  const g = await call(h.app, "PUT", "/1.0/services/postgresql/instances/permission/orders/red", {
    token: w.alice,
  });
  assert.equal(g.status, 200, g.body);
  const b2 = await call(h.app, "PUT", "/1.0/services/postgresql/instances/orders/red-app", {
    token: w.bob,
    form: { noRestart: "true" },
  });
  assert.equal(b2.status, 200, b2.body);
  const e2 = await env("red-app");
  assert.notEqual(e2.PGUSER, e.PGUSER);
  assert.deepEqual(await pgQuery(e2.DATABASE_URL!, "SELECT name FROM items"), [{ name: "first" }]);

  const u = await call(h.app, "DELETE", "/1.0/services/postgresql/instances/orders/red-app?noRestart=true", {
    token: w.bob,
  });
  assert.equal(u.status, 200, u.body);
  assert.deepEqual(await env("red-app"), {}, "unbind removes exactly the bind's variables");
  await assert.rejects(pgQuery(e2.DATABASE_URL!, "SELECT 1"), /authentication failed|does not exist/);
  assert.deepEqual(await pgQuery(e.DATABASE_URL!, "SELECT name FROM items"), [{ name: "first" }]);
  const info2 = (
    await call(h.app, "GET", "/1.0/services/postgresql/instances/orders", { token: w.alice })
  ).json() as {
    CustomInfo: Record<string, string>;
    State: string;
  };
  assert.equal(info2.State, "ready");
  assert.equal(info2.CustomInfo.Address, `${host}:${c.hostPort}`);
});

test("env set and env unset refuse the variables a bind set", async () => {
  const un = await call(h.app, "DELETE", "/1.0/apps/blue-app/env?env=PGPASSWORD&noRestart=true", {
    token: w.alice,
  });
  assert.equal(un.status, 400, un.body);
  assert.match(un.body, /set by service instance "orders".*unbind/);
  const set = await call(h.app, "POST", "/1.0/apps/blue-app/env", {
    token: w.alice,
    form: { "Envs.0.Name": "PGHOST", "Envs.0.Value": "elsewhere", NoRestart: "true", Private: "false" },
  });
  assert.equal(set.status, 400, set.body);
  assert.ok((await env("blue-app")).PGHOST !== "elsewhere");
});

test("a lost container is recreated on the same volume and port, and a stopped one started again: the data is still there", async () => {
  const c = await row("postgresql", "orders");
  const e = await env("blue-app");
  const engine = engineOf(c.node);
  await engine.getContainer(c.volume).remove({ force: true });
  assert.match(await status("postgresql", "orders"), /down \(its container is missing/);
  const r = await svc.reconcile();
  assert.equal(r.restarted, 1, JSON.stringify(r));
  await waitStatus("postgresql", "orders", /is up$/);
  assert.deepEqual(await pgQuery(e.DATABASE_URL!, "SELECT name FROM items"), [{ name: "first" }]);
  await engine.getContainer(c.volume).stop();
  assert.match(await status("postgresql", "orders"), /down \(stopped/);
  await svc.reconcile();
  await waitStatus("postgresql", "orders", /is up$/);
  assert.deepEqual(await pgQuery(e.DATABASE_URL!, "SELECT name FROM items"), [{ name: "first" }]);
  const heals = await h.store.listEvents({ kindNames: ["service-instance.heal"] });
  assert.equal(heals.length, 2);
});

test("a Redis instance: the bound user reads and writes at the bound address, and is gone after unbind", async () => {
  await create("redis", "cache");
  await waitStatus("redis", "cache", /is up$/);
  const b = await call(h.app, "PUT", "/1.0/services/redis/instances/cache/red-app", {
    token: w.bob,
    form: { noRestart: "true" },
  });
  // bob's team neither owns it nor has a grant: he cannot see it (404), his env is unchanged.
  assert.equal(b.status, 404, b.body);
  const ok = await call(h.app, "PUT", "/1.0/services/redis/instances/cache/blue-app", {
    token: w.alice,
    form: { noRestart: "true" },
  });
  assert.equal(ok.status, 200, ok.body);
  const e = await env("blue-app");
  const url = new URL(e.REDIS_URL!);
  assert.equal(url.username, e.REDIS_USERNAME);
  const replies = await redisInline(e.REDIS_HOST!, Number(e.REDIS_PORT), [
    `AUTH ${e.REDIS_USERNAME} ${e.REDIS_PASSWORD}`,
    "SET greeting hello",
    "GET greeting",
    "CONFIG GET maxmemory",
  ]);
  assert.deepEqual(replies.slice(0, 3), ["+OK", "+OK", "hello"]);
  assert.match(replies[3]!, /^-NOPERM/, "apps get no admin commands");
  const u = await call(h.app, "DELETE", "/1.0/services/redis/instances/cache/blue-app?noRestart=true", {
    token: w.alice,
  });
  assert.equal(u.status, 200, u.body);
  assert.equal((await env("blue-app")).REDIS_URL, undefined);
  const after = await redisInline(e.REDIS_HOST!, Number(e.REDIS_PORT), [
    `AUTH ${e.REDIS_USERNAME} ${e.REDIS_PASSWORD}`,
  ]);
  assert.match(after[0]!, /^-WRONGPASS/);
});

test("removing keeps the data volume unless --purge; the name can be used again", async () => {
  const c = await row("redis", "cache");
  const engine = engineOf(c.node);
  const d = await call(h.app, "DELETE", "/1.0/services/redis/instances/cache", { token: w.alice });
  assert.equal(d.status, 200, d.body);
  assert.match(d.body, /data volume is kept/);
  assert.equal(await h.store.findServiceContainer(c.uuid), null);
  await assert.rejects(engine.getContainer(c.volume).inspect(), /no such container/i);
  assert.equal((await engine.getVolume(c.volume).inspect()).Name, c.volume, "the volume stays");
  await create("redis", "cache");
  await waitStatus("redis", "cache", /is up$/);
  const c2 = await row("redis", "cache");
  const d2 = await call(h.app, "DELETE", "/1.0/services/redis/instances/cache?purge=true", {
    token: w.alice,
  });
  assert.equal(d2.status, 200, d2.body);
  await assert.rejects(engineOf(c2.node).getVolume(c2.volume).inspect(), /no such volume/i);
  await engine.getVolume(c.volume).remove();
});

test("a provision the server died in is resumed by the next server, with exactly one container", async () => {
  await create("redis", "resumed");
  const c = await row("redis", "resumed");
  // The server "dies": its job stops where it is, nothing is cleaned up.
  await svc.runtime.stopAll();
  assert.equal((await h.store.findServiceContainer(c.uuid))!.phase, "creating");
  const next = builtinFor(ctxOf(), info, {}, logged.log);
  ctxOf().builtin = next;
  const r = await next.start();
  assert.equal(r.resumed, 1, JSON.stringify(r));
  await next.runtime.settled();
  await svc.stop();
  svc = next;
  await waitStatus("redis", "resumed", /is up$/);
  const found = await engineOf(c.node).listContainers({
    all: true,
    filters: JSON.stringify({ label: [`wharf.service-uuid=${c.uuid}`] }),
  });
  assert.equal(found.length, 1);
  const d = await call(h.app, "DELETE", "/1.0/services/redis/instances/resumed?purge=true", {
    token: w.alice,
  });
  assert.equal(d.status, 200, d.body);
});

test("an instance record left provisioning without a placement is marked failed, and orphan containers are swept", async () => {
  await h.store.createServiceInstance({
    service: "redis",
    name: "never",
    uuid: "00000000-0000-4000-8000-000000000001",
    plan: "small",
    teamOwner: "blue",
    teams: ["blue"],
    description: "",
    tags: [],
    parameters: {},
    state: "provisioning",
    operation: "",
    message: "",
  });
  const node = [...nodes.byAddress.values()][0]!;
  await pullImage(node, info.baseImage ?? "wharf/base:bookworm");
  const orphan = await node.createContainer({
    Image: info.baseImage ?? "wharf/base:bookworm",
    Cmd: ["sleep", "600"],
    Labels: { "wharf.service-uuid": "00000000-0000-4000-8000-00000000dead" },
  });
  const r = await svc.reconcile(true);
  assert.equal(r.failed, 1);
  assert.ok(r.orphans >= 1);
  await assert.rejects(orphan.inspect(), /no such container/i);
  assert.match(await status("redis", "never"), /failed|never placed/);
  const d = await call(h.app, "DELETE", "/1.0/services/redis/instances/never", { token: w.alice });
  assert.equal(d.status, 200, d.body);
});

const health = (state: "healthy" | "unhealthy") => ({
  state,
  failures: 0,
  lastSuccess: null,
  lastError: "",
  lastErrorAt: null,
  since: new Date(),
});

test("a node that is down gives a clear error and changes nothing, and no credential is in events or the container", async () => {
  const c = await row("postgresql", "orders");
  const before = await env("blue-app");
  await h.store.setNodeHealth(c.node, health("unhealthy"));
  try {
    const b = await call(h.app, "PUT", "/1.0/services/postgresql/instances/orders/red-app", {
      token: w.bob,
      form: { noRestart: "true" },
    });
    assert.equal(b.status, 502, b.body);
    assert.match(b.body, /unreachable/);
    assert.deepEqual(await env("red-app"), {});
    assert.equal((await h.store.listServiceBindings({ app: "red-app" })).length, 0);
    assert.match(await status("postgresql", "orders"), /down \(node .* is unreachable\)/);
    const failed = (await h.store.listEvents({ kindNames: ["app.update.bind"] })).find((e) => e.error);
    assert.match(failed!.error, /unreachable/, "the failure is recorded on the event");
  } finally {
    await h.store.setNodeHealth(c.node, health("healthy"));
  }
  const events = JSON.stringify(await h.store.listEvents({}));
  for (const v of [before.PGPASSWORD!, before.DATABASE_URL!])
    assert.ok(!events.includes(v), "no credential in events");
  const secret = JSON.parse(ctxOf().builtin ? svc.runtime.deps.unseal(c.secretsSealed) : "{}") as {
    password: string;
  };
  const cfg = JSON.stringify(await engineOf(c.node).getContainer(c.volume).inspect());
  for (const v of [before.PGPASSWORD!, secret.password])
    assert.ok(!cfg.includes(v), "no password in the container's config");
  assert.ok(
    !JSON.stringify(await h.store.listServiceContainers()).includes(secret.password),
    "stored sealed",
  );
});

test("removing a bound app drops its login at the instance; the instance then goes with --purge", async () => {
  const e = await env("blue-app");
  const r = await call(h.app, "DELETE", "/1.0/apps/blue-app", { token: w.alice });
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /Unbinding service instance \W+orders\W/);
  await assert.rejects(pgQuery(e.DATABASE_URL!, "SELECT 1"), /authentication failed|does not exist/);
  const c = await row("postgresql", "orders");
  const d = await call(h.app, "DELETE", "/1.0/services/postgresql/instances/orders?purge=true", {
    token: w.alice,
  });
  assert.equal(d.status, 200, d.body);
  await assert.rejects(engineOf(c.node).getVolume(c.volume).inspect(), /no such volume/i);
  assert.deepEqual(await h.store.listServiceContainers(), []);
});

test("nothing the built-in services logged holds a credential", () => {
  assert.ok(seenSecrets.size >= 4, `the tests saw credentials (${seenSecrets.size})`);
  const text = logged.lines.join("");
  for (const v of seenSecrets) assert.ok(!text.includes(v), "a credential was logged");
});
