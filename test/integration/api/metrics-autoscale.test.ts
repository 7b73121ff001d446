// GET /apps/{app}/metrics and tsuru's /apps/{app}/units/autoscale through the API: the
// answer's shape (router series first, unit series per unit), who may read and change them,
// and bad input (since not a time, unknown process, min > max, targets out of range) as 400
// sentences that store nothing. Agent samples and router rows go in the way they arrive
// (the metrics service's ingest, the routers' store rows); the node-level paths are tested
// in test/integration/metrics (the server's own sampling) and test/e2e/metrics-agent.test.ts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call, harness, world, type Harness, type World } from "./helpers.js";
import { STEP_S, stepOf } from "../../../src/util/steps.js";
import { latencyBucket } from "../../../src/util/latency.js";
import type { AppMetrics } from "../../../src/metrics/names.js";

let h: Harness;
let w: World;
const NODE = "https://10.0.0.9:2376";
before(async () => {
  h = await harness();
  w = await world(h.app);
  await h.store.setAppProcess({ app: "blue-app", process: "web", units: 1, stopped: false });
  await h.store.setAppProcess({ app: "blue-app", process: "worker", units: 1, stopped: false });
  for (const [id, process] of [
    ["u-web", "web"],
    ["u-worker", "worker"],
  ] as const)
    await h.store.createUnit({
      id,
      app: "blue-app",
      process,
      version: 1,
      node: NODE,
      containerId: "",
      host: "",
      port: 0,
      status: "started",
      routable: process === "web",
      restartGen: 0,
      error: "",
    });
});
after(() => h.close());

const metricsOf = (token: string, q = "") => call(h.app, "GET", `/1.0/apps/blue-app/metrics${q}`, { token });

test("the app's team reads router and unit series in the agreed shape; other teams cannot", async () => {
  const now = Math.floor(Date.now() / 1000);
  const t = stepOf(now) - STEP_S;
  const svc = h.app.nodeAgents.metrics;
  assert.equal(
    await svc.ingest(NODE, [
      { Unit: "u-web", Time: t, CPUPercent: 42, MemoryBytes: 1000, RxBytesPerSecond: 5, TxBytesPerSecond: 6 },
      { Unit: "u-worker", Time: t, CPUPercent: 7 },
    ]),
    7,
  );
  // Another node's agent cannot write this node's units.
  assert.equal(await svc.ingest("https://10.0.0.8:2376", [{ Unit: "u-web", Time: t, CPUPercent: 99 }]), 0);
  await h.store.appendRouterMetrics([
    { router: "r1", app: "blue-app", ts: t, requests: 50, errors: 10, latency: [[latencyBucket(0.002), 50]] },
  ]);
  await svc.refresh();
  const r = await metricsOf(w.alice);
  assert.equal(r.status, 200, r.body);
  const body = r.json() as AppMetrics;
  assert.equal(body.step, 10);
  const find = (name: string, unit: string) => body.series.find((s) => s.name === name && s.unit === unit);
  assert.deepEqual(find("requests", "")!.points, [[t, 5]]);
  assert.deepEqual(find("errors", "")!.points, [[t, 1]]);
  assert.equal(find("requests", "")!.process, "web");
  assert.ok(Math.abs(find("latency_p50_ms", "")!.points[0]![1] - 2) < 0.1);
  assert.deepEqual(find("cpu_percent", "u-web")!.points, [[t, 42]]);
  assert.deepEqual(find("restarts", "u-web")!.points, [[t, 0]]);
  assert.deepEqual(find("cpu_percent", "u-worker")!.points, [[t, 7]]);
  assert.equal(body.series[0]!.unit, "", "router series come first");
  const worker = (await metricsOf(w.alice, "?process=worker")).json() as AppMetrics;
  assert.deepEqual([...new Set(worker.series.map((s) => s.process))], ["worker"]);
  const recent = (await metricsOf(w.alice, `?since=${t + 1}`)).json() as AppMetrics;
  assert.deepEqual(recent.series, []);
  assert.equal((await metricsOf(w.alice, "?since=5m")).status, 200);
  assert.equal(
    ((await metricsOf(w.alice, `?since=${new Date((t - 60) * 1000).toISOString()}`)).json() as AppMetrics)
      .series.length,
    body.series.length,
  );
  assert.equal((await metricsOf(w.bob)).status, 403);
  const prom = await call(h.app, "GET", "/metrics");
  assert.match(prom.body, /wharf_unit_cpu_percent\{app="blue-app",process="web",unit="u-web"\} 42/);
  assert.match(prom.body, /wharf_app_requests_per_second\{app="blue-app",process="web"\} 5/);
});

test("a removed unit's series leave the API and the Prometheus export", async () => {
  const svc = h.app.nodeAgents.metrics;
  await h.store.deleteUnit("u-worker");
  await svc.refresh();
  const body = (await metricsOf(w.alice)).json() as AppMetrics;
  assert.equal(body.series.filter((s) => s.unit === "u-worker").length, 0);
  assert.ok(body.series.some((s) => s.unit === "u-web"));
  assert.doesNotMatch((await call(h.app, "GET", "/metrics")).body, /u-worker/);
  assert.equal(
    (await h.store.listUnitMetrics({ sinceTs: 0 })).filter((p) => p.unit === "u-worker").length,
    0,
  );
});

test("metrics: since that is not a time and an unknown process are 400 sentences", async () => {
  const bad = await metricsOf(w.alice, "?since=yesterday");
  assert.equal(bad.status, 400);
  assert.match(bad.body, /"since" must be a time: unix seconds .* got "yesterday"/);
  const proc = await metricsOf(w.alice, "?process=nope");
  assert.equal(proc.status, 400);
  assert.match(proc.body, /App "blue-app" has no process "nope": its processes are web, worker\./);
  assert.equal((await call(h.app, "GET", "/1.0/apps/ghost/metrics", { token: w.alice })).status, 404);
});

const autoscale = "/1.9/apps/blue-app/units/autoscale";

test("unit autoscale set/info/unset in tsuru's shapes, with requests per unit", async () => {
  const set = await call(h.app, "POST", autoscale, {
    token: w.alice,
    json: { process: "web", minUnits: 1, maxUnits: 10, averageCPU: "60%" },
  });
  assert.equal(set.status, 200, set.body);
  const milli = await call(h.app, "POST", autoscale, {
    token: w.alice,
    form: { process: "worker", minUnits: "2", maxUnits: "4", averageCPU: "750m", requestsPerUnit: "25" },
  });
  assert.equal(milli.status, 200, milli.body);
  const info = await call(h.app, "GET", autoscale, { token: w.alice });
  assert.deepEqual(info.json(), [
    { process: "web", minUnits: 1, maxUnits: 10, averageCPU: "60%", requestsPerUnit: 0 },
    { process: "worker", minUnits: 2, maxUnits: 4, averageCPU: "75%", requestsPerUnit: 25 },
  ]);
  assert.equal((await call(h.app, "GET", autoscale, { token: w.bob })).status, 403);
  assert.equal(
    (
      await call(h.app, "POST", autoscale, {
        token: w.bob,
        json: { process: "web", minUnits: 1, maxUnits: 2, averageCPU: "50%" },
      })
    ).status,
    403,
  );
  const events = await h.store.listEvents({ kindNames: ["app.update.unit.autoscale.add"] });
  assert.ok(events.length >= 2);
  assert.equal((await call(h.app, "DELETE", `${autoscale}?process=worker`, { token: w.alice })).status, 200);
  assert.deepEqual(
    ((await call(h.app, "GET", autoscale, { token: w.alice })).json() as Array<{ process: string }>).map(
      (a) => a.process,
    ),
    ["web"],
  );
  const gone = await call(h.app, "DELETE", `${autoscale}?process=worker`, { token: w.alice });
  assert.equal(gone.status, 404);
  assert.match(gone.body, /has no autoscale/);
});

test("unit autoscale bad input: each mistake is a 400 sentence and stores nothing", async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { process: "web", minUnits: 5, maxUnits: 2, averageCPU: "50%" },
      /minimum number of units \(5\) is above the maximum \(2\)/,
    ],
    [
      { process: "web", minUnits: 1, maxUnits: 2, averageCPU: "150%" },
      /CPU target 150% is out of range: give 1% to 100%/,
    ],
    [{ process: "web", minUnits: 1, maxUnits: 2, averageCPU: "0%" }, /out of range/],
    [{ process: "web", minUnits: 1, maxUnits: 2, averageCPU: "lots" }, /Invalid CPU target "lots"/],
    [{ process: "web", minUnits: 1, maxUnits: 2, requestsPerUnit: -4 }, /Requests per unit must be a number/],
    [
      { process: "web", minUnits: 0, maxUnits: 2, averageCPU: "50%" },
      /minimum number of units must be a whole number from 1/,
    ],
    [{ process: "web", minUnits: 1, maxUnits: 2 }, /Give a target to scale toward/],
    [
      { process: "nope", minUnits: 1, maxUnits: 2, averageCPU: "50%" },
      /App "blue-app" has no process "nope": its processes are web, worker/,
    ],
    [{ minUnits: 1, maxUnits: 2, averageCPU: "50%" }, /Name the process/],
  ];
  for (const [body, msg] of cases) {
    const r = await call(h.app, "POST", autoscale, { token: w.alice, json: body });
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
    assert.match(r.body, msg);
  }
  assert.deepEqual(
    (await h.store.listAutoscale({ app: "blue-app" })).map((a) => [a.process, a.maxUnits]),
    [["web", 10]],
  );
});
