// Built-in services end to end on the 3-node cluster with a real `wharf server` and the CLI:
// a PostgreSQL instance bound to the deployed examples/notes app keeps the note written through
// the router across an app redeploy and a restart of the instance's container; unbind takes
// the env away and restarts the app. A Redis instance whose provision a kill -9 of the
// server interrupted ends up once, and goes with its data on remove --purge.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { request } from "undici";
import { hostEngine, nodeClient } from "../support/dev-cluster.js";
import { setupWharf, type WharfE2E } from "../support/wharf-e2e.js";
import { ensureHostServiceImage } from "../support/service-image.js";

const APP = "notes";
const APP_DIR = resolve(import.meta.dirname, "..", "..", "examples", "notes");
let w: WharfE2E;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function status(service: string, name: string): Promise<string> {
  return (await w.ok(["service", "instance", "status", service, name])).stdout.trim();
}

const upStatus = (service: string, name: string) =>
  until(`${service} instance ${name} up`, async () =>
    (await status(service, name)).endsWith(" is up") ? true : undefined,
  );

async function notes(): Promise<Array<{ body: string }> | undefined> {
  const r = await w.get(APP, "/notes");
  return r.status === 200 ? (JSON.parse(r.body) as Array<{ body: string }>) : undefined;
}

async function appStatus(): Promise<{ database: boolean; redis: boolean }> {
  const r = await w.get(APP, "/status");
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as { database: boolean; redis: boolean };
}

/** The instance's containers on every node, by Wharf's service labels. */
async function instanceContainers(name: string) {
  const out: Array<{ id: string; node: number; state: string }> = [];
  for (let i = 0; i < w.info.nodes.length; i++)
    for (const c of await nodeClient(w.info, i).listContainers({
      all: true,
      filters: JSON.stringify({ label: [`wharf.service-instance=${name}`] }),
    }))
      out.push({ id: c.Id, node: i, state: c.State });
  return out;
}

before(async () => {
  w = await setupWharf({ prefix: "services" });
  await Promise.all([
    ensureHostServiceImage(hostEngine(), "postgresql", w.info.registry),
    ensureHostServiceImage(hostEngine(), "redis", w.info.registry),
  ]);
  await w.ok(["app", "create", APP, "node", "-t", "devs"]);
  await w.ok(["app", "deploy", "-a", APP, "."], { cwd: APP_DIR });
});

after(async () => {
  await w?.close();
});

test("a bound PostgreSQL instance keeps the app's data across a redeploy and an instance restart; unbind takes the env away", async () => {
  await w.ok(["service", "instance", "add", "postgresql", "notes-db", "small", "-t", "devs"]);
  await upStatus("postgresql", "notes-db");
  assert.equal((await appStatus()).database, false);

  const bind = await w.ok(["service", "instance", "bind", "postgresql", "notes-db", "-a", APP]);
  assert.match(bind.stdout, /DATABASE_URL/);
  const env = (await w.ok(["env", "get", "-a", APP])).stdout;
  for (const n of ["DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"])
    assert.match(env, new RegExp(`^${n}=\\*\\*\\* \\(private variable\\)$`, "m"), env);
  assert.equal((await appStatus()).database, true, "the bind restarted the units with the new env");

  const post = await request(`${w.routerUrl}/notes`, {
    method: "POST",
    headers: { host: `${APP}.wharf.localhost` },
    body: "remember the milk",
  });
  assert.equal(post.statusCode, 201, await post.body.text());
  assert.deepEqual(
    (await notes())?.map((n) => n.body),
    ["remember the milk"],
  );

  await w.ok(["app", "deploy", "-a", APP, "."], { cwd: APP_DIR });
  assert.deepEqual(
    (await notes())?.map((n) => n.body),
    ["remember the milk"],
    "after a redeploy",
  );

  const [c] = await instanceContainers("notes-db");
  assert.ok(c);
  await nodeClient(w.info, c.node).getContainer(c.id).restart();
  const kept = await until("notes served again after the instance restart", notes);
  assert.deepEqual(
    kept.map((n) => n.body),
    ["remember the milk"],
    "after a restart of the instance's container",
  );

  const un = await w.ok(["service", "instance", "unbind", "postgresql", "notes-db", "-a", APP]);
  assert.match(un.stdout, /not bound to the app/);
  const after = (await w.ok(["env", "get", "-a", APP])).stdout;
  assert.doesNotMatch(after, /DATABASE_URL|PGPASSWORD/);
  assert.equal((await appStatus()).database, false, "the units restarted without the database");

  await w.ok(["service", "instance", "remove", "postgresql", "notes-db", "--purge", "-y"]);
  assert.deepEqual(await instanceContainers("notes-db"), []);
});

test("a Redis instance whose provision a kill -9 of the server interrupted ends up exactly once, and goes with --purge", async () => {
  await w.ok(["service", "instance", "add", "redis", "cache", "-t", "devs"]);
  const seen = await status("redis", "cache");
  await w.kill9();
  await w.start();
  console.log(`# status at the kill: ${seen}`);
  await upStatus("redis", "cache");
  const cs = await instanceContainers("cache");
  assert.equal(cs.length, 1, JSON.stringify(cs));
  assert.equal(cs[0]!.state, "running");

  await w.ok(["service", "instance", "bind", "redis", "cache", "-a", APP]);
  assert.equal((await appStatus()).redis, true);
  const info = (await w.ok(["service", "instance", "info", "redis", "cache"])).stdout;
  assert.match(info, new RegExp(`Apps: ${APP}`));
  assert.match(info, /Address: \d+\.\d+\.\d+\.\d+:\d+/);

  const list = (await w.ok(["service", "list"])).stdout;
  assert.match(list, /redis/);
  const rm = await w.ok(["service", "instance", "remove", "redis", "cache", "-f", "--purge", "-y"]);
  assert.match(rm.stdout, /and its data removed/);
  assert.deepEqual(await instanceContainers("cache"), []);
  assert.doesNotMatch((await w.ok(["env", "get", "-a", APP])).stdout, /REDIS_URL/);
  const vols = await nodeClient(w.info, cs[0]!.node).listVolumes({
    filters: JSON.stringify({ label: ["wharf.service-instance=cache"] }),
  });
  assert.deepEqual(vols.Volumes ?? [], []);

  const events = (await w.api("GET", "/events?limit=1000")).body;
  assert.doesNotMatch(events, /PGPASSWORD=|REDIS_PASSWORD=|redis:\/\/[^:]+:[^@]+@/);
});
