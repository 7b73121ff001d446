// The autoscale loop's decisions against a real (in-memory) store and the real scheduler, with
// the metric series given and the change recorded (the change itself, through unit add/remove,
// is proven on the cluster by test/e2e/autoscale.test.ts): what it reads, when it holds, how it
// reports missing capacity, and how a fresh loop (a new leader) stays safe.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { openStore, type Store } from "../../../src/store/index.js";
import type { DeployCtx } from "../../../src/deploy/context.js";
import { Autoscaler } from "../../../src/autoscale/loop.js";
import type { AppMetrics } from "../../../src/metrics/names.js";

const GiB = 2 ** 30;
const NODE = "https://10.0.0.1:2376";
const APP = "shop";
let store: Store;
let nowS: number;
let t0: number;
let seq = 0;
/** cpu_percent points per unit. */
let cpu: Map<string, Array<[number, number]>>;
let calls: Array<[number, number]>;

async function addUnit(): Promise<string> {
  const id = `${APP}-web-${++seq}`;
  await store.createUnit({
    id,
    app: APP,
    process: "web",
    version: 1,
    node: NODE,
    containerId: `c-${id}`,
    host: "10.0.0.1",
    port: 30000 + seq,
    status: "started",
    routable: true,
    restartGen: 0,
    error: "",
  });
  return id;
}

/** Every unit running now used `pct` of a core in each step from `from` to before `to`. */
async function load(from: number, to: number, pct: number): Promise<void> {
  for (const u of await store.listUnits({ app: APP })) {
    const points = cpu.get(u.id) ?? [];
    for (let ts = from; ts < to; ts += 10) points.push([ts, pct]);
    cpu.set(u.id, points);
  }
}

const metrics = {
  read: async (_app: string, since: number): Promise<AppMetrics> => ({
    step: 10,
    series: [...cpu].map(([unit, points]) => ({
      name: "cpu_percent" as const,
      process: "web",
      unit,
      points: points.filter((p) => p[0] >= since),
    })),
  }),
};

function autoscaler(stabilizationMs = 60_000): Autoscaler {
  return new Autoscaler({
    dc: { ctx: { store } } as unknown as DeployCtx,
    metrics,
    settings: { enabled: true, intervalMs: 10_000, stabilizationMs },
    instanceId: "test",
    log: pino({ level: "silent" }),
    now: () => nowS * 1000,
    // The change as unit add/remove leaves it in the store: rows added or removed.
    apply: async (_dc, _app, _process, from, to) => {
      calls.push([from, to]);
      for (let i = from; i < to; i++) await addUnit();
      const units = await store.listUnits({ app: APP });
      for (const u of units.slice(to)) await store.deleteUnit(u.id);
      await store.setAppProcess({ app: APP, process: "web", units: to, stopped: false });
    },
  });
}

async function step(a: Autoscaler, at: number): Promise<void> {
  nowS = at;
  await a.pass();
  await a.settle();
}

const autoscaleEvents = () => store.listEvents({ kindNames: ["autoscale"], limit: 1000 });

beforeEach(async () => {
  store = await openStore({ kind: "sqlite", path: ":memory:" });
  await store.createTeam({ name: "devs", creatorEmail: "a@b.c" });
  await store.createPool({ name: "main", isDefault: true });
  await store.createPlatform({ name: "node" });
  await store.createPlan({ name: "big", memory: GiB, swap: 0, cpuMilli: 0, cpuShare: 100, isDefault: true });
  await store.createApp({
    name: APP,
    platform: "node",
    plan: "big",
    pool: "main",
    teamOwner: "devs",
    owner: "a@b.c",
  });
  await store.createNode({
    address: NODE,
    pool: "main",
    metadata: {},
    engineId: "n1",
    engineName: "n1",
    labels: {},
    cpus: 2,
    memory: 8 * GiB,
    disabled: false,
  });
  const now = new Date();
  await store.setNodeHealth(NODE, {
    state: "healthy",
    failures: 0,
    lastSuccess: now,
    lastError: "",
    lastErrorAt: null,
    since: now,
  });
  await store.setAppProcess({ app: APP, process: "web", units: 1, stopped: false });
  await addUnit();
  await store.setAutoscale({
    app: APP,
    process: "web",
    minUnits: 1,
    maxUnits: 4,
    cpuPercent: 50,
    requestsPerUnit: null,
  });
  // Step-aligned, after the units' creation (the store stamps them with the real clock).
  t0 = Math.ceil(Date.now() / 10_000) * 10 + 10;
  cpu = new Map();
  calls = [];
});

afterEach(async () => {
  await store.close();
});

describe("autoscale loop", () => {
  it("scales a CPU-bound process up from steps measured after it first saw it, as an autoscale event with the metric, target and reason", async () => {
    await load(t0 - 30, t0, 100);
    const a = autoscaler();
    await step(a, t0 + 1);
    assert.deepEqual(calls, [], "steps from before the loop saw the process are not read");
    await load(t0, t0 + 30, 100);
    await step(a, t0 + 31);
    assert.deepEqual(calls, [[1, 2]]);
    // The same busy steps right after the change describe one unit, not two: not read again.
    await load(t0 + 30, t0 + 40, 100);
    await step(a, t0 + 41);
    assert.deepEqual(calls, [[1, 2]]);
    const [ev, ...more] = await autoscaleEvents();
    assert.equal(more.length, 0);
    assert.equal(ev!.owner.name, "autoscale");
    assert.equal(ev!.running, false);
    assert.equal(ev!.error, "");
    assert.deepEqual(ev!.startCustomData, {
      process: "web",
      from: 1,
      to: 2,
      metric: "cpu_percent",
      value: 100,
      target: 50,
      reason: "cpu 100% per unit against a 50% target: 1 → 2 units",
    });
    assert.match(ev!.log, /cpu 100% per unit against a 50% target: 1 → 2 units/);
  });

  it("does not scale while the app has a running event (a deploy) or the process is stopped", async () => {
    const a = autoscaler();
    await step(a, t0 + 1);
    await load(t0, t0 + 60, 100);
    const deploy = await store.createEvent({
      kind: { type: "permission", name: "app.deploy" },
      target: { type: "app", value: APP },
      owner: { type: "user", name: "a@b.c" },
      lock: true,
    });
    await step(a, t0 + 31);
    assert.deepEqual(calls, [], "held mid-deploy");
    await store.finishEvent(deploy.id, {});
    await store.setAppProcess({ app: APP, process: "web", units: 1, stopped: true });
    await step(a, t0 + 41);
    assert.deepEqual(calls, [], "held while stopped");
    await store.setAppProcess({ app: APP, process: "web", units: 1, stopped: false });
    await step(a, t0 + 51);
    assert.deepEqual(calls, [[1, 2]]);
  });

  it("scales down only after the stabilisation window, and a fresh loop (a new leader) waits a whole window from when it took over", async () => {
    await addUnit();
    await store.setAppProcess({ app: APP, process: "web", units: 2, stopped: false });
    await load(t0 - 10, t0 + 300, 5);
    const first = autoscaler(60_000);
    await step(first, t0 + 1);
    await step(first, t0 + 31);
    assert.deepEqual(calls, [], "inside the window");
    // The leader changes before the window passed: the new one starts its own window.
    const second = autoscaler(60_000);
    await step(second, t0 + 41);
    await step(second, t0 + 91);
    assert.deepEqual(calls, [], "the first loop's window would have passed, the new one's has not");
    await step(second, t0 + 111);
    assert.deepEqual(calls, [[2, 1]]);
    const [ev] = await autoscaleEvents();
    assert.match(ev!.log, /cpu 5% per unit against a 50% target: 2 → 1 units/);
  });

  it("a scale-up the pool cannot place is reported once, with the scheduler's sentence, not every step", async () => {
    // One 1 GiB unit fills the node (the plan reserves 1 GiB per unit).
    await store.updateNode(NODE, { memory: GiB });
    const a = autoscaler();
    await step(a, t0 + 1);
    await load(t0, t0 + 100, 100);
    for (const at of [t0 + 31, t0 + 41, t0 + 51, t0 + 61]) await step(a, at);
    assert.deepEqual(calls, []);
    const evs = await autoscaleEvents();
    assert.equal(evs.length, 1, JSON.stringify(evs));
    assert.match(evs[0]!.error, /cannot scale shop web to 2 units: /);
    assert.match(evs[0]!.log, /2 wanted; the pool has room for 1/);
    assert.equal((evs[0]!.startCustomData as { cause: string }).cause, "no-capacity");
  });

  it("a scale-up past the app's unit quota is held at the quota and reported once, naming it", async () => {
    await store.setQuotaLimit("app", APP, 2);
    const a = autoscaler();
    await step(a, t0 + 1);
    // 1 unit at 200% of a core (several threads) wants 4: the quota leaves room for 2.
    await load(t0, t0 + 30, 200);
    await step(a, t0 + 31);
    assert.deepEqual(calls, [[1, 2]]);
    await load(t0 + 30, t0 + 100, 200);
    for (const at of [t0 + 51, t0 + 61, t0 + 71]) await step(a, at);
    assert.deepEqual(calls, [[1, 2]], "nothing more past the quota");
    const reports = (await autoscaleEvents()).filter((e) => e.error);
    assert.equal(reports.length, 1, JSON.stringify(reports));
    assert.match(
      reports[0]!.error,
      /cannot scale shop web to 4 units: the app's unit quota \(2\) is reached/,
    );
  });
});
