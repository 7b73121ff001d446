// The router's per-step counts (src/metrics): every proxied request is counted once with its
// latency, 5xx answers and proxy errors (no unit, unit down) as errors, requests for unknown
// hosts not at all; the embedded router hands its windows to the server's metrics service at
// the step boundary and writes them to the store under its own id, where other routers' rows
// of the same step are added to them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import { deadPort, harness, world, type Harness } from "../api/helpers.js";
import { startEmbeddedRouter } from "../../../src/router/embedded.js";
import { startRouter as startRunningRouter } from "../../../src/router/index.js";
import { ROUTE_CHANGE_KIND } from "../../../src/router/source.js";
import { backendOf, get, startBackend, startRouter, type TestBackend } from "./helpers.js";
import { eventually } from "./cert-helpers.js";
import { quantileMs, LATENCY_BUCKETS, addSparse } from "../../../src/util/latency.js";

let h: Harness;
let ok: TestBackend;
let failing: TestBackend;

before(async () => {
  h = await harness();
  await world(h.app);
  ok = await startBackend("ok-unit");
  failing = await startBackend("bad-unit", (req, res) => {
    req.resume();
    res.writeHead(500);
    res.end("boom");
  });
});
after(async () => {
  await ok.close();
  await failing.close();
  await h.close();
});

test("each request is counted once per app with its latency; 5xx and proxy errors are errors", async () => {
  const r = await startRouter();
  try {
    r.snapshot({
      apps: [
        { app: "good", backends: [backendOf(ok)] },
        { app: "bad", backends: [backendOf(failing)] },
        { app: "empty", backends: [] },
        { app: "down", backends: [{ id: "gone", host: "127.0.0.1", port: await deadPort() }] },
      ],
    });
    for (let i = 0; i < 7; i++) assert.equal((await get(r.port, "good.wharf.test")).status, 200);
    assert.equal((await get(r.port, "bad.wharf.test")).status, 500);
    assert.equal((await get(r.port, "empty.wharf.test")).status, 503);
    assert.equal((await get(r.port, "down.wharf.test")).status, 502);
    assert.equal((await get(r.port, "nobody.example")).status, 404);
    const w = Object.fromEntries(r.metrics.takeWindows().map((x) => [x.app, x]));
    assert.deepEqual(Object.keys(w).sort(), ["bad", "down", "empty", "good"]);
    assert.deepEqual([w.good!.requests, w.good!.errors], [7, 0]);
    assert.deepEqual([w.bad!.requests, w.bad!.errors], [1, 1]);
    assert.deepEqual([w.empty!.requests, w.empty!.errors], [1, 1]);
    assert.deepEqual([w.down!.requests, w.down!.errors], [1, 1]);
    const hist = new Float64Array(LATENCY_BUCKETS);
    addSparse(hist, w.good!.latency);
    const p50 = quantileMs(hist, 0.5)!;
    assert.ok(p50 > 0 && p50 < 1000, `p50 ${p50} ms`);
    // A new step starts from zero; an app stays listed (zeros) so its rate reads 0, not nothing.
    const next = r.metrics.takeWindows().find((x) => x.app === "good")!;
    assert.deepEqual([next.requests, next.errors, next.latency], [0, 0, []]);
  } finally {
    await r.close();
  }
});

test("a response cut mid-body and upgrades that fail in the router are counted as errors", async () => {
  // Sends a head promising 100 bytes, then 5, then drops the connection.
  const cutting = await startBackend("cut-unit", (req, res) => {
    req.resume();
    res.writeHead(200, { "content-length": "100" });
    res.write("short");
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const r = await startRouter();
  try {
    r.snapshot({
      apps: [
        { app: "cut", backends: [backendOf(cutting)] },
        { app: "empty", backends: [] },
        { app: "down", backends: [{ id: "gone", host: "127.0.0.1", port: await deadPort() }] },
        { app: "good", backends: [backendOf(ok)] },
      ],
    });
    r.metrics.takeWindows();
    await assert.rejects(get(r.port, "cut.wharf.test"));
    const upgrade = (host: string) =>
      get(r.port, host, { headers: { connection: "Upgrade", upgrade: "websocket" } }).then((x) => x.status);
    assert.equal(await upgrade("empty.wharf.test"), 503);
    assert.equal(await upgrade("down.wharf.test"), 502);
    // The plain backend does not switch protocols: its answer is the unit's, not an error.
    assert.equal(await upgrade("good.wharf.test"), 200);
    // Counted before the client sees the answer or the cut.
    const w = Object.fromEntries(r.metrics.takeWindows().map((x) => [x.app, x]));
    assert.deepEqual([w.cut?.requests, w.cut?.errors], [1, 1]);
    assert.deepEqual([w.empty?.requests, w.empty?.errors], [1, 1]);
    assert.deepEqual([w.down?.requests, w.down?.errors], [1, 1]);
    assert.deepEqual([w.good?.requests, w.good?.errors], [1, 0]);
  } finally {
    await r.close();
    await cutting.close();
  }
});

test("the embedded router hands each step's counts to its server at once and writes them to the store", async () => {
  const metrics = h.app.nodeAgents.metrics;
  // The hour is read from the store once, before any request: what follows is in memory
  // only through the in-process hand-over (nothing here refreshes from the store).
  await metrics.loadOnce();
  const router = await startEmbeddedRouter(h.store, h.config, pino({ level: "silent" }), {
    env: { WHARF_ROUTER_PORT: "0", WHARF_ROUTER_TLS_PORT: "off" },
    onCounted: (rows) => metrics.addRouterRows(rows),
  });
  try {
    const port = router.addresses.http!.port;
    await h.store.appendChange(ROUTE_CHANGE_KIND, [
      { op: "set-app", route: { app: "blue-app", cnames: [], backends: [backendOf(ok)] } },
    ]);
    await eventually(
      async () => (await get(port, "blue-app.wharf.localhost")).status === 200,
      "the route",
      10_000,
    );
    for (let i = 0; i < 4; i++) await get(port, "blue-app.wharf.localhost");
    const counted = async () =>
      ((await metrics.read("blue-app", 0)).series.find((s) => s.name === "requests")?.points ?? []).reduce(
        (n, p) => n + p[1] * 10,
        0,
      );
    // The window is handed over at the next 10 s boundary.
    await eventually(async () => Math.round(await counted()) >= 5, "the router's counts in memory", 15_000);
    const m = await metrics.read("blue-app", 0);
    const req = m.series.find((s) => s.name === "requests")!;
    assert.equal(req.process, "web");
    assert.equal(req.unit, "");
    // The same rows in the store (a restart and the other servers read them there).
    await eventually(
      async () =>
        (await h.store.listRouterMetrics({ sinceTs: 0, app: "blue-app" })).reduce(
          (n, x) => n + x.requests,
          0,
        ) === Math.round(req.points.reduce((n, p) => n + p[1] * 10, 0)),
      "the router's rows in the store",
      5_000,
    );
    const rows = await h.store.listRouterMetrics({ sinceTs: 0, app: "blue-app" });
    assert.equal(new Set(rows.map((x) => x.router)).size, 1);
    assert.ok(rows.every((x) => x.ts % 10 === 0));
    // Another router's row of the same step, read from the store, adds to the embedded one's.
    const ts = rows.find((x) => x.requests > 0)!.ts;
    const alone = req.points.find((p) => p[0] === ts)![1];
    await h.store.appendRouterMetrics([
      { router: "other", app: "blue-app", ts, requests: 20, errors: 0, latency: [] },
    ]);
    await metrics.refresh(ts);
    const merged = (await metrics.read("blue-app", 0)).series.find((s) => s.name === "requests")!;
    assert.equal(merged.points.find((p) => p[0] === ts)![1], alone + 2);
  } finally {
    await router.close();
  }
});

test("with worker processes, each worker's windows reach the primary under the worker's name", async () => {
  const got: Array<{ part: string; requests: number }> = [];
  const r = await startRunningRouter({
    domain: "wharf.test",
    http: { port: 0, host: "127.0.0.1" },
    workers: 2,
    onWindows: (_ts, windows, part) => {
      for (const w of windows) if (w.app === "good") got.push({ part, requests: w.requests });
    },
  });
  try {
    r.snapshot({ apps: [{ app: "good", backends: [backendOf(ok)] }] });
    const port = r.addresses.http!.port;
    await eventually(async () => (await get(port, "good.wharf.test")).status === 200, "the route");
    for (let i = 0; i < 9; i++) await get(port, "good.wharf.test");
    await eventually(
      async () => got.reduce((n, g) => n + g.requests, 0) >= 10,
      "the workers' windows",
      15_000,
    );
    assert.ok(got.every((g) => /^w\d+$/.test(g.part)));
  } finally {
    await r.close();
  }
});
