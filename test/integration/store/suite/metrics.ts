// Shared tests for unit metrics (upsert per step, dropped for unknown units, gone with the
// unit), router metrics (per router, gone with the app), pruning, and autoscale settings.
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { NotFoundError, type Store } from "../../../../src/store/index.js";
import { appInput, seedCatalog, type Backend, type TestDatabase } from "./backend.js";

const unit = (id: string, app: string, process = "web") => ({
  id,
  app,
  process,
  version: 1,
  node: "https://10.0.0.1:2376",
  containerId: "",
  host: "",
  port: 0,
  status: "started" as const,
  routable: true,
  restartGen: 0,
  error: "",
});

const T = 1_700_000_000;

export function metricTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
    await seedCatalog(store);
    await store.createApp(appInput("a1"));
    await store.createApp(appInput("a2"));
    await store.createUnit(unit("u1", "a1"));
    await store.createUnit(unit("u2", "a1", "worker"));
    await store.createUnit(unit("u3", "a2"));
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("unit metrics: rows carry the unit's app and process, a step is upserted, unknown units are dropped", async () => {
    const n = await store.appendUnitMetrics([
      { unit: "u1", name: "cpu_percent", ts: T, value: 12.5 },
      { unit: "u2", name: "memory_bytes", ts: T, value: 1024 },
      { unit: "u3", name: "cpu_percent", ts: T + 10, value: 1 },
      { unit: "ghost", name: "cpu_percent", ts: T, value: 99 },
    ]);
    assert.equal(n, 3);
    await store.appendUnitMetrics([{ unit: "u1", name: "cpu_percent", ts: T, value: 40 }]);
    const a1 = await store.listUnitMetrics({ sinceTs: 0, app: "a1" });
    assert.deepEqual(a1.map((p) => [p.unit, p.app, p.process, p.name, p.ts, p.value]).sort(), [
      ["u1", "a1", "web", "cpu_percent", T, 40],
      ["u2", "a1", "worker", "memory_bytes", T, 1024],
    ]);
    assert.deepEqual(
      (await store.listUnitMetrics({ sinceTs: T + 5 })).map((p) => p.unit),
      ["u3"],
    );
  });

  it("unit metrics: removing a unit removes its series; pruning removes rows older than the cut", async () => {
    await store.appendUnitMetrics([
      { unit: "u1", name: "cpu_percent", ts: T, value: 1 },
      { unit: "u1", name: "cpu_percent", ts: T + 10, value: 2 },
      { unit: "u2", name: "cpu_percent", ts: T, value: 3 },
    ]);
    await store.deleteUnit("u2");
    assert.deepEqual((await store.listUnitMetrics({ sinceTs: 0 })).map((p) => p.value).sort(), [1, 2]);
    assert.equal(await store.pruneMetrics(T + 10), 1);
    assert.deepEqual(
      (await store.listUnitMetrics({ sinceTs: 0 })).map((p) => p.ts),
      [T + 10],
    );
  });

  it("router metrics: one row per router, app and step with its histogram; gone with the app and pruned", async () => {
    const n = await store.appendRouterMetrics([
      {
        router: "r1",
        app: "a1",
        ts: T,
        requests: 100,
        errors: 2,
        latency: [
          [80, 60],
          [90, 40],
        ],
      },
      { router: "r2", app: "a1", ts: T, requests: 10, errors: 0, latency: [[85, 10]] },
      { router: "r1", app: "a2", ts: T, requests: 5, errors: 5, latency: [[1, 5]] },
      { router: "r1", app: "nope", ts: T, requests: 5, errors: 5, latency: [] },
    ]);
    assert.equal(n, 3);
    await store.appendRouterMetrics([
      {
        router: "r1",
        app: "a1",
        ts: T,
        requests: 101,
        errors: 3,
        latency: [
          [80, 61],
          [90, 40],
        ],
      },
    ]);
    const a1 = await store.listRouterMetrics({ sinceTs: 0, app: "a1" });
    assert.deepEqual(a1.map((w) => [w.router, w.requests, w.errors, w.latency]).sort(), [
      [
        "r1",
        101,
        3,
        [
          [80, 61],
          [90, 40],
        ],
      ],
      ["r2", 10, 0, [[85, 10]]],
    ]);
    await store.deleteApp("a2");
    assert.deepEqual(
      (await store.listRouterMetrics({ sinceTs: 0 })).map((w) => w.app),
      ["a1", "a1"],
    );
    await store.appendRouterMetrics([
      { router: "r1", app: "a1", ts: T + 10, requests: 1, errors: 0, latency: [] },
    ]);
    assert.equal(await store.pruneMetrics(T + 10), 2);
    assert.deepEqual(
      (await store.listRouterMetrics({ sinceTs: 0 })).map((w) => w.ts),
      [T + 10],
    );
  });

  it("autoscale: set is an upsert per process, listed per app, removed by process and with the app", async () => {
    const first = await store.setAutoscale({
      app: "a1",
      process: "web",
      minUnits: 1,
      maxUnits: 4,
      cpuPercent: 60,
      requestsPerUnit: null,
    });
    assert.deepEqual(
      [first.minUnits, first.maxUnits, first.cpuPercent, first.requestsPerUnit],
      [1, 4, 60, null],
    );
    const again = await store.setAutoscale({
      app: "a1",
      process: "web",
      minUnits: 2,
      maxUnits: 10,
      cpuPercent: null,
      requestsPerUnit: 50.5,
    });
    assert.deepEqual(
      [again.minUnits, again.maxUnits, again.cpuPercent, again.requestsPerUnit],
      [2, 10, null, 50.5],
    );
    assert.equal(again.createdAt.getTime(), first.createdAt.getTime());
    await store.setAutoscale({
      app: "a1",
      process: "worker",
      minUnits: 1,
      maxUnits: 2,
      cpuPercent: 80,
      requestsPerUnit: null,
    });
    await store.setAutoscale({
      app: "a2",
      process: "web",
      minUnits: 1,
      maxUnits: 2,
      cpuPercent: 80,
      requestsPerUnit: null,
    });
    assert.deepEqual(
      (await store.listAutoscale({ app: "a1" })).map((a) => a.process),
      ["web", "worker"],
    );
    await assert.rejects(
      store.setAutoscale({
        app: "nope",
        process: "web",
        minUnits: 1,
        maxUnits: 2,
        cpuPercent: 1,
        requestsPerUnit: null,
      }),
      NotFoundError,
    );
    assert.equal(await store.deleteAutoscale("a1", "worker"), true);
    assert.equal(await store.deleteAutoscale("a1", "worker"), false);
    await store.deleteApp("a2");
    assert.deepEqual(
      (await store.listAutoscale()).map((a) => `${a.app}/${a.process}`),
      ["a1/web"],
    );
  });
}
