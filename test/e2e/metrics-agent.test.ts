// Unit metrics on the 3-node cluster with a real `wharf server`, real node agents and the
// embedded router: the agents' samples (read from the nodes' cgroup and procfs files) reach
// GET /apps/{app}/metrics and the server's /metrics, the router counts the requests it
// proxied, `wharf app metrics` draws them, the hour survives a server restart on SQLite, and
// a removed unit's series go away with it (API, Prometheus export, store).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "undici";
import { hostAddress } from "../../src/cluster/dev/layout.js";
import { nodeClient, hostEngine, testLayout } from "../support/dev-cluster.js";
import { ensureHostAgentImage } from "../support/agent-image.js";
import { setupWharf, streamDeploy, tarGz, type WharfE2E } from "../support/wharf-e2e.js";
import type { AppMetrics } from "../../src/metrics/names.js";

const APP = "metered";
let w: WharfE2E;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function metrics(q = ""): Promise<AppMetrics> {
  const r = await w.api("GET", `/1.0/apps/${APP}/metrics${q}`);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as AppMetrics;
}

const series = (m: AppMetrics, name: string, unit?: string) =>
  m.series.find((s) => s.name === name && (unit === undefined ? s.unit !== "" : s.unit === unit));

async function unitIds(): Promise<string[]> {
  const r = await w.api("GET", `/apps/${APP}`);
  // tsuru's unit shape: ID is the container, Name the Wharf unit id the series carry.
  return (JSON.parse(r.body) as { units: Array<{ Name: string; Status: string }> }).units
    .filter((u) => u.Status === "started")
    .map((u) => u.Name);
}

async function prometheus(): Promise<string> {
  const r = await request(`${w.apiUrl}/metrics`);
  return r.body.text();
}

before(async () => {
  w = await setupWharf({
    prefix: "metrics",
    env: {
      WHARF_HOST: hostAddress(testLayout()),
      WHARF_AGENT_INTERVAL_MS: "1000",
      WHARF_LOG_COLLECTOR: "false",
      // Only the agents sample here (the server's own sampling: test/integration/metrics).
      WHARF_METRICS_COLLECTOR: "false",
    },
  });
  for (const n of w.info.nodes)
    await w.ok(["node", "update", `https://${n.address}:2376`, `docker-socket=${n.socket}`]);
  await ensureHostAgentImage(hostEngine(), w.info.registry);
  await w.ok(["node", "container", "add", "wharf-agent"]);
  await w.ok(["app", "create", APP, "node", "-t", "devs"]);
  const archive = await tarGz([
    {
      name: "server.js",
      // Some CPU per request, so the unit's CPU series has something to show.
      content: `require("http").createServer((q, s) => { let x = 0; for (let i = 0; i < 2e5; i++) x += i; s.end("ok " + x); }).listen(process.env.PORT);
process.on("SIGTERM", () => process.exit(0));
`,
    },
    { name: "Procfile", content: "web: node server.js\n" },
  ]);
  const r = await streamDeploy(w, APP, archive);
  // A deploy that fails after its first byte still answers 200: its end says how it went.
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /\nOK\n$/, `the deploy did not end OK:\n${r.text}`);
});

after(async () => {
  await w?.close();
});

describe("unit metrics", () => {
  let first = "";

  test("the agents' samples and the router's counts reach the API, the CLI and /metrics", async () => {
    first = (await unitIds())[0] ?? "";
    assert.ok(first);
    // The agents start after `node container add` returns (image pull, first report).
    await until(
      "the unit's first samples",
      async () => (series(await metrics(), "memory_bytes", first) ? true : undefined),
      240_000,
    );
    // Requests through the embedded router over more than two steps.
    const loadFrom = Math.floor(Date.now() / 10_000) * 10;
    const loadEnd = Date.now() + 25_000;
    let ok = 0;
    while (Date.now() < loadEnd) {
      const res = await w.get(APP);
      if (res.status === 200) ok++;
    }
    assert.ok(ok > 50, `${ok} requests answered`);
    const counted = (got: AppMetrics) =>
      (series(got, "requests", "")?.points ?? [])
        .filter((p) => p[0] >= loadFrom)
        .reduce((a, p) => a + p[1] * 10, 0);
    // The last step of the load is written at the next boundary and read at the next refresh.
    const m = await until("the load's steps in the router and unit series", async () => {
      const got = await metrics();
      const cpu = series(got, "cpu_percent", first)?.points.filter((p) => p[0] >= loadFrom) ?? [];
      return counted(got) >= ok && cpu.length >= 2 ? got : undefined;
    });
    assert.ok(Math.abs(counted(m) - ok) < 0.5, `router counted ${counted(m)} of ${ok} requests`);
    assert.equal(m.step, 10);
    const req = series(m, "requests", "")!;
    assert.equal(req.process, "web");
    assert.ok(series(m, "latency_p99_ms", "")!.points.every((p) => p[1] > 0));
    assert.deepEqual(
      series(m, "errors", "")!.points.map((p) => p[1]),
      req.points.map(() => 0),
    );
    assert.ok(
      series(m, "memory_bytes", first)!.points.every((p) => p[1] > 1e6),
      "a node process uses over 1 MB",
    );
    // The load's steps show the unit working: CPU and bytes in.
    const during = (name: string) => series(m, name, first)!.points.filter((p) => p[0] >= loadFrom + 10);
    assert.ok(
      during("cpu_percent").some((p) => p[1] > 1),
      JSON.stringify(during("cpu_percent")),
    );
    assert.ok(
      during("net_rx_bytes").some((p) => p[1] > 100),
      JSON.stringify(during("net_rx_bytes")),
    );
    assert.deepEqual(
      series(m, "restarts", first)!
        .points.map((p) => p[1])
        .slice(-1),
      [0],
    );
    // The agents read the nodes' files, not the Engine API's per-container stats.
    const logs: string[] = [];
    for (let i = 0; i < w.info.nodes.length; i++)
      for (const c of await nodeClient(w.info, i).listContainers({
        filters: JSON.stringify({ label: ["wharf.nodecontainer=wharf-agent"] }),
      }))
        logs.push(
          String(await nodeClient(w.info, i).getContainer(c.Id).logs({ stdout: true, stderr: true })),
        );
    assert.match(logs.join("\n"), /sampling 1 units from cgroup files, 0 through the Engine API's stats/);

    const cli = await w.ok(["app", "metrics", "-a", APP]);
    assert.match(cli.stdout, /requests\s+\| web\s+\| \(router\)/);
    assert.match(cli.stdout, new RegExp(`cpu_percent\\s+\\| web\\s+\\| ${first}`));
    assert.match(cli.stdout, /[▁▂▃▄▅▆▇█]/);
    const prom = await prometheus();
    assert.match(
      prom,
      new RegExp(`wharf_unit_memory_bytes\\{app="${APP}",process="web",unit="${first}"\\} \\d+`),
    );
    assert.match(prom, new RegExp(`wharf_app_latency_p99_seconds\\{app="${APP}",process="web"\\}`));
  });

  test("the last hour survives a server restart on SQLite", async () => {
    const before = await metrics();
    const cpuBefore = series(before, "cpu_percent", first)!.points;
    const reqBefore = series(before, "requests", "")!.points;
    await w.stop();
    await w.start();
    const afterRestart = await metrics();
    const cpuAfter = series(afterRestart, "cpu_percent", first)!.points;
    for (const p of cpuBefore)
      assert.deepEqual(
        cpuAfter.find((q) => q[0] === p[0]),
        p,
      );
    const reqAfter = series(afterRestart, "requests", "")!.points;
    for (const p of reqBefore)
      assert.deepEqual(
        reqAfter.find((q) => q[0] === p[0]),
        p,
      );
  });

  test("a removed unit's series go away with it", async () => {
    await w.ok(["unit", "add", "1", "-a", APP, "-p", "web"]);
    const second = await until("the second unit's samples", async () => {
      const ids = (await unitIds()).filter((id) => id !== first);
      const id = ids[0];
      const m = await metrics();
      if (id && series(m, "memory_bytes", id)) return id;
      throw new Error(
        `units ${JSON.stringify(ids)}, series of ${JSON.stringify([...new Set(m.series.map((x) => x.unit))])}`,
      );
    });
    await w.ok(["unit", "remove", "1", "-a", APP, "-p", "web"]);
    const [left] = await until("one unit left", async () => {
      const ids = await unitIds();
      return ids.length === 1 ? ids : undefined;
    });
    const gone = left === first ? second : first;
    await until("the removed unit's series gone", async () => {
      const m = await metrics();
      return m.series.some((s) => s.unit === gone) ? undefined : m;
    });
    assert.ok(series(await metrics(), "memory_bytes", left));
    await until("the removed unit gone from /metrics", async () =>
      (await prometheus()).includes(gone) ? undefined : true,
    );
  });
});
