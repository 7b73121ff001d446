// kill -9 of `wharf server` in the middle of a deploy (during the build, right after the
// image push, mid-rollout), then a restart: the startup reconciler must leave the app
// serving exactly one version with its desired units, no container the store does not
// know on the nodes, the deploy's event ended, and the next deploy must work.
// Then kill -9 during `unit add` at each of its steps (the server kills itself there:
// WHARF_TEST_CRASH_AT, src/util/crash-point.ts): the restart converges to the recorded count.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { setupWharf, streamDeploy, tarGz, type WharfE2E } from "../support/wharf-e2e.js";

const APP = "crashy";
const RUNS = 3;
const WEB = 2;
const WORKER = 1;
let w: WharfE2E;
let deployCount = 0;
/** Version number → the tag its code answers with. */
const tags = new Map<number, string>();

/**
 * The app's code, tagged per deploy. The web process listens only after 2 s so a rollout
 * spends a while between "Started unit" and the route switch; hooks.build sleeps so a
 * build takes a while too.
 */
function appArchive(tag: string): Promise<Buffer> {
  return tarGz([
    {
      name: "server.js",
      content: `const http = require("http");
setTimeout(() => http.createServer((req, res) => res.end(JSON.stringify({ tag: ${JSON.stringify(tag)} }))).listen(process.env.PORT), 2000);
process.on("SIGTERM", () => process.exit(0));
`,
    },
    {
      name: "worker.js",
      content: `setInterval(() => {}, 1000);\nprocess.on("SIGTERM", () => process.exit(0));\n`,
    },
    { name: "Procfile", content: "web: node server.js\nworker: node worker.js\n" },
    {
      name: "tsuru.yaml",
      content: `hooks:\n  build:\n    - echo build-hook-running && sleep 3\nhealthcheck:\n  path: /\n  status: 200\n`,
    },
  ]);
}

interface AppInfo {
  deploys: number;
  units: Array<{ ID: string; Name: string; ProcessName: string; Status: string; Version: number }>;
}

async function appInfo(): Promise<AppInfo> {
  const r = await w.api("GET", `/apps/${APP}`);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as AppInfo;
}

/** A full deploy that must succeed; returns its version. */
async function deployOk(): Promise<number> {
  const tag = `d${++deployCount}`;
  const r = await streamDeploy(w, APP, await appArchive(tag));
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /\nOK\n$/, r.text);
  const v = Number(/Deploying version v(\d+)/.exec(r.text)?.[1]);
  tags.set(v, tag);
  return v;
}

/**
 * Starts a deploy and kill -9s the server once `trigger` shows in its output (plus
 * `delayMs`), then restarts it. Returns the killed deploy's event id.
 */
async function crashDeploy(
  trigger: RegExp,
  delayMs: number,
): Promise<{ eventId: string; text: string; version: number }> {
  const tag = `d${++deployCount}`;
  let killed: Promise<void> | undefined;
  const r = await streamDeploy(w, APP, await appArchive(tag), (text) => {
    const m = /Deploying version v(\d+)/.exec(text);
    if (m) tags.set(Number(m[1]), tag);
    if (!killed && trigger.test(text))
      killed = new Promise<void>((res) => setTimeout(res, delayMs)).then(() => w.kill9());
  });
  assert.ok(killed, `the deploy never printed ${trigger}; it ended with:\n${r.text}`);
  await killed;
  assert.ok(r.eventId, "the deploy answered with its event id");
  await w.start();
  const version = Number(/Deploying version v(\d+)/.exec(r.text)?.[1]);
  assert.ok(version > 0, r.text);
  return { eventId: r.eventId, text: r.text, version };
}

/** The deploy list entry of a version (GET /deploys). */
async function deployOf(version: number): Promise<{ CanRollback: boolean; Error: string }> {
  const r = await w.api("GET", `/deploys?app=${APP}&limit=1000`);
  assert.equal(r.status, 200, r.body);
  const d = (JSON.parse(r.body) as Array<{ Version: number; CanRollback: boolean; Error: string }>).find(
    (x) => x.Version === version,
  );
  assert.ok(d, `version v${version} is listed`);
  return d;
}

/** A version whose deploy died before the route switch never served: no rollback target. */
async function assertNotRollbackTarget(version: number, what: string): Promise<void> {
  const d = await deployOf(version);
  assert.equal(d.CanRollback, false, `${what}: v${version} cannot be rolled back to`);
  assert.match(d.Error, /server/, `${what}: v${version} says why it failed`);
}

/** Everything that must hold after a crash and restart (`web` units of the web process). */
async function assertConverged(eventId: string, what: string, web = WEB): Promise<void> {
  const info = await appInfo();
  const started = info.units.filter((u) => u.Status === "started");
  assert.equal(
    started.length,
    info.units.length,
    `${what}: every unit is started: ${JSON.stringify(info.units)}`,
  );
  assert.equal(info.units.filter((u) => u.ProcessName === "web").length, web, `${what}: web units`);
  assert.equal(info.units.filter((u) => u.ProcessName === "worker").length, WORKER, `${what}: worker units`);
  const versions = new Set(info.units.map((u) => u.Version));
  assert.equal(versions.size, 1, `${what}: units of one version, got ${[...versions].join(", ")}`);
  const expected = tags.get([...versions][0]!);
  const served = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const res = await w.get(APP);
    assert.equal(res.status, 200, `${what}: request ${i} through the router: ${res.body}`);
    served.add((JSON.parse(res.body) as { tag: string }).tag);
  }
  assert.deepEqual([...served], [expected], `${what}: the router serves exactly the units' version`);
  // No container on the nodes that the store does not know; no build left behind.
  const known = new Set(info.units.map((u) => u.ID));
  const onNodes = await w.managedContainers();
  const orphans = onNodes.filter((c) => !known.has(c.id));
  assert.deepEqual(orphans, [], `${what}: orphan containers`);
  assert.equal(onNodes.length, info.units.length, `${what}: one container per unit`);
  assert.deepEqual(await w.buildContainers(), [], `${what}: build containers left on the nodes`);
  // The killed deploy's event ended; nothing is running on the app.
  const ev = await w.api("GET", `/events/${eventId}`);
  assert.equal(ev.status, 200, ev.body);
  assert.equal((JSON.parse(ev.body) as { Running: boolean }).Running, false, `${what}: the event ended`);
  const running = await w.api("GET", `/events?target.value=${APP}&running=true`);
  assert.equal(running.status, 204, `${what}: events still running: ${running.body}`);
}

before(async () => {
  w = await setupWharf({ prefix: "crash" });
  await w.ok(["app", "create", APP, "node", "-t", "devs"]);
  await deployOk();
  await w.ok(["unit", "add", String(WEB - 1), "-a", APP, "-p", "web"]);
});

after(async () => {
  await w?.close();
});

// Different delays after the trigger line hit different steps of the same phase.
const DELAYS = [0, 700, 1500];

describe("kill -9 of wharf server during a deploy, then a restart", () => {
  test(`during the build (${RUNS} runs): one version serves with its units, no orphans, event ended, next deploy works`, async () => {
    for (let i = 0; i < RUNS; i++) {
      const { eventId, version } = await crashDeploy(/build-hook-running/, DELAYS[i]!);
      await assertConverged(eventId, `build run ${i + 1}`);
      await assertNotRollbackTarget(version, `build run ${i + 1}`);
    }
    await deployOk();
    await assertConverged((await lastEvent()).id, "deploy after the build crashes");
  });

  test(`right after the image push, before units start (${RUNS} runs): same guarantees`, async () => {
    for (let i = 0; i < RUNS; i++) {
      const { eventId, text, version } = await crashDeploy(/Starting \d+ new units?/, DELAYS[i]! / 5);
      assert.match(text, /Pushing image/);
      await assertConverged(eventId, `push run ${i + 1}`);
      await assertNotRollbackTarget(version, `push run ${i + 1}`);
    }
    await deployOk();
    await assertConverged((await lastEvent()).id, "deploy after the push crashes");
  });

  test(`mid-rollout, after a new unit started and before routes switch (${RUNS} runs): same guarantees`, async () => {
    for (let i = 0; i < RUNS; i++) {
      const { eventId, text, version } = await crashDeploy(/---> Started unit/, DELAYS[i]! / 2);
      assert.doesNotMatch(text, /Routes updated/, "the crash came before the route switch");
      await assertConverged(eventId, `rollout run ${i + 1}`);
      await assertNotRollbackTarget(version, `rollout run ${i + 1}`);
    }
    const v = await deployOk();
    await assertConverged((await lastEvent()).id, "deploy after the rollout crashes");
    assert.equal((await appInfo()).units[0]!.Version, v, "the last deploy's version serves");
  });

  test(`after the route switch, while old units drain (${RUNS} runs): the new version serves alone, its deploy succeeded and counts`, async () => {
    for (let i = 0; i < RUNS; i++) {
      const before = (await appInfo()).deploys;
      const { eventId, version } = await crashDeploy(/Routes updated/, DELAYS[i]! / 5);
      await assertConverged(eventId, `drain run ${i + 1}`);
      const ev = await w.api("GET", `/events/${eventId}`);
      const e = JSON.parse(ev.body) as { Error: string; Log: string };
      assert.equal(e.Error, "", `drain run ${i + 1}: a deploy that serves is not recorded as failed`);
      assert.match(e.Log, /server restarted after the route switch/);
      assert.equal((await appInfo()).deploys, before + 1, `drain run ${i + 1}: the deploy is counted`);
      assert.equal(
        (await appInfo()).units[0]!.Version,
        version,
        `drain run ${i + 1}: the new version serves`,
      );
      assert.equal(
        (await deployOf(version)).CanRollback,
        true,
        "a version that served stays a rollback target",
      );
    }
    await deployOk();
    await assertConverged((await lastEvent()).id, "deploy after the drain crashes");
  });
});

async function lastEvent(kind = "app.deploy"): Promise<{ id: string }> {
  const r = await w.api("GET", `/events?target.value=${APP}&kindname=${kind}&limit=1`);
  assert.equal(r.status, 200, r.body);
  const [e] = JSON.parse(r.body) as Array<{ UniqueID: string }>;
  return { id: e!.UniqueID };
}

describe("kill -9 of wharf server during unit add, then a restart", () => {
  // intent-recorded: the desired count is committed, nothing started yet; container-created:
  // the new unit's container runs, not switched in; route-published: it serves, the
  // operation has not ended.
  for (const step of ["intent-recorded", "container-created", "route-published"]) {
    test(`after ${step}: the restart converges to the recorded count, no duplicate unit, no orphan, event ended`, async () => {
      await w.stop();
      await w.start({ WHARF_TEST_CRASH_AT: step });
      const r = await w.cli(["unit", "add", "1", "-a", APP, "-p", "web"]);
      assert.doesNotMatch(
        r.stdout,
        /unit added to web/,
        `${step}: the server died before the unit add ended`,
      );
      await w.kill9(); // it killed itself: this waits for its exit
      await w.start();
      await assertConverged((await lastEvent("app.update.unit.add")).id, `unit add ${step}`, WEB + 1);
      await w.ok(["unit", "remove", "1", "-a", APP, "-p", "web"]);
      await assertConverged((await lastEvent("app.update.unit.remove")).id, `unit remove after ${step}`);
    });
  }
});
