// Autoscaling on the 3-node test cluster with a real `wharf server` (its own metric sampling of
// the nodes, the embedded router): an app whose every request burns CPU, set to
// `--min 1 --max 4 --cpu 50%`, gets a bounded loopback load that makes its one unit CPU-bound;
// the autoscale loop adds units, every request is answered while they join (and the new ones
// answer too), and once the load stops and the stabilisation window (30 s here,
// WHARF_AUTOSCALE_STABILIZATION_MS) has passed it is back to one unit, a light probe still
// answered throughout. The app's events show each change with the metric that caused it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "undici";
import { setupWharf, streamDeploy, tarGz, type WharfE2E } from "../support/wharf-e2e.js";

const APP = "burner";
/** CPU milliseconds each /burn request costs, and the load's rate: about one core in all. */
const BURN_MS = 25;
const RATE = 36;
let w: WharfE2E;
/** Loads still running: a failed test leaves them to after(), which stops them first. */
const running = new Set<{ stop(): Promise<unknown> }>();

interface EventInfo {
  Kind: { Name: string };
  Owner: { Name: string };
  Running: boolean;
  Error: string;
  Log: string;
  StartTime: string;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
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
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function startedUnits(): Promise<number> {
  const r = await w.api("GET", `/apps/${APP}`);
  assert.equal(r.status, 200, r.body);
  const units = (JSON.parse(r.body) as { units: Array<{ Status: string; ProcessName: string }> }).units;
  return units.filter((u) => u.Status === "started" && u.ProcessName === "web").length;
}

async function autoscaleEvents(): Promise<EventInfo[]> {
  const r = await w.api("GET", `/events?target.value=${APP}&kindname=autoscale&limit=100`);
  if (r.status === 204) return [];
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as EventInfo[]).reverse();
}

interface LoadResult {
  sent: number;
  answered: number;
  failures: string[];
  /** Which unit containers answered (their host names). */
  hosts: Set<string>;
}

/**
 * `rate` requests per second to `path` through the router, never more than `maxInFlight` at
 * once (a request not sent for that is not a failure: the client waits), until stop() or
 * `maxMs`. Every answer other than 200, and every connection error, is a failure.
 */
function paced(path: string, rate: number, maxInFlight: number, maxMs: number) {
  const r: LoadResult = { sent: 0, answered: 0, failures: [], hosts: new Set() };
  const inFlight = new Set<Promise<void>>();
  const one = async (): Promise<void> => {
    r.sent++;
    try {
      const res = await request(`${w.routerUrl}${path}`, {
        headers: { host: `${APP}.wharf.localhost` },
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      const body = await res.body.text();
      if (res.statusCode !== 200) r.failures.push(`${res.statusCode}: ${body.slice(0, 200)}`);
      else {
        r.answered++;
        r.hosts.add(body.split(" ")[1] ?? "");
      }
    } catch (err) {
      r.failures.push(String(err));
    }
  };
  const timer = setInterval(() => {
    if (inFlight.size >= maxInFlight) return;
    const p = one().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / rate);
  const limit = setTimeout(() => clearInterval(timer), maxMs);
  const load = {
    result: r,
    async stop(): Promise<LoadResult> {
      clearInterval(timer);
      clearTimeout(limit);
      running.delete(load);
      while (inFlight.size) await Promise.all([...inFlight]);
      return r;
    },
  };
  running.add(load);
  return load;
}

before(async () => {
  w = await setupWharf({
    prefix: "autoscale",
    env: { WHARF_AUTOSCALE_STABILIZATION_MS: "30000", WHARF_LOG_COLLECTOR: "false" },
  });
  await w.ok(["app", "create", APP, "node", "-t", "devs"]);
  const archive = await tarGz([
    {
      name: "server.js",
      // /burn spends BURN_MS of CPU (not wall time: a busy machine makes it slower, not cheaper);
      // / answers at once. Each answer names the unit's container. SIGTERM closes the listener
      // and waits for the requests under way.
      content: `const http = require("http");
const host = require("os").hostname();
function burn(ms) {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 20000; i++) x += i;
    const d = process.cpuUsage(start);
    if (d.user + d.system >= ms * 1000) return x;
  }
}
const server = http.createServer((q, s) => {
  if (q.url === "/burn") burn(${BURN_MS});
  s.end("ok " + host);
}).listen(process.env.PORT);
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
});
`,
    },
    { name: "Procfile", content: "web: node server.js\n" },
  ]);
  const r = await streamDeploy(w, APP, archive);
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /\nOK\n$/, r.text);
});

after(async () => {
  for (const l of [...running]) await l.stop();
  await w?.close();
});

describe("autoscale", () => {
  test("a CPU-bound app scales up under load with no failed request, and back to one unit once the load stops and the window passes", async () => {
    const set = await w.cli([
      "unit",
      "autoscale",
      "set",
      "-a",
      APP,
      "-p",
      "web",
      "--min",
      "1",
      "--max",
      "4",
      "--cpu",
      "50%",
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(await startedUnits(), 1);
    // A light probe all along: answered while units join and while they leave.
    const probe = paced("/", 2, 4, 420_000);
    // Few requests in flight: enough to keep the unit busy, while the queue behind them stays
    // shorter than the router's 2 s active health check (a unit busy for longer is taken out).
    const load = paced("/burn", RATE, 8, 240_000);
    const upAt = await until(
      "a scale-up",
      async () => ((await startedUnits()) >= 2 ? Date.now() : undefined),
      180_000,
    ).catch(async (err: Error) => {
      // What the loop saw: a unit starved by a busy machine uses less than the load asks.
      const m = await w.api("GET", `/apps/${APP}/metrics?since=5m`);
      const f = load.result.failures;
      throw new Error(
        `${err.message}; ${f.length} failed requests (${f.slice(0, 3).join("; ")}); the app's series: ${m.body.slice(0, 4000)}`,
      );
    });
    // The new units serve their share for a while under the same load.
    await new Promise((r) => setTimeout(r, 30_000));
    const peak = await startedUnits();
    const loaded = await load.stop();
    assert.deepEqual(
      loaded.failures,
      [],
      `${loaded.failures.length} of ${loaded.sent} loaded requests failed`,
    );
    assert.ok(loaded.answered > RATE * 20, `${loaded.answered} loaded requests answered`);
    assert.ok(peak >= 2 && peak <= 4, `${peak} units at the peak`);
    assert.ok(loaded.hosts.size >= 2, `answers came from ${[...loaded.hosts].join(", ")}`);
    const downAt = await until(
      "the scale back to one unit",
      async () => ((await startedUnits()) === 1 ? Date.now() : undefined),
      180_000,
    );
    const probed = await probe.stop();
    assert.deepEqual(
      probed.failures,
      [],
      `${probed.failures.length} of ${probed.sent} probe requests failed`,
    );
    assert.ok(probed.answered > 20, `${probed.answered} probe requests answered`);
    process.stdout.write(
      `# scaled up ${((upAt - Date.now()) / -1000).toFixed(0)} s ago, peak ${peak} units, ` +
        `back to 1 ${((downAt - upAt) / 1000).toFixed(0)} s after the first scale-up; ` +
        `${loaded.answered} loaded and ${probed.answered} probe requests answered\n`,
    );

    // Each change is an event of the autoscaler with the metric, its target and the reason.
    // The last unit leaves before the event that removed it ends (its log is written first).
    const evs = await until(
      "the autoscale events to end",
      async () => {
        const list = await autoscaleEvents();
        return list.every((e) => !e.Running) ? list : undefined;
      },
      60_000,
    );
    const changes = evs.filter((e) => !e.Error);
    assert.ok(changes.length >= 2, JSON.stringify(evs, null, 1));
    for (const e of changes) {
      assert.equal(e.Owner.Name, "autoscale");
      assert.equal(e.Running, false);
      assert.match(e.Log, /cpu \d+(\.\d)?% per unit against a 50% target: \d+ → \d+ units/, e.Log);
    }
    const ups = changes.filter((e) => {
      const m = /: (\d+) → (\d+) units/.exec(e.Log)!;
      return Number(m[2]) > Number(m[1]);
    });
    assert.match(ups[0]!.Log, /: 1 → [234] units/, ups[0]!.Log);
    assert.match(ups[0]!.Log, /units? added to web/, ups[0]!.Log);
    const last = changes[changes.length - 1]!;
    assert.match(last.Log, /: [234] → 1 units/, last.Log);
    assert.match(last.Log, /units? removed from web: now 1/, last.Log);
    // The setting stays: the process is back at its minimum, not unmanaged.
    const info = await w.ok(["unit", "autoscale", "info", "-a", APP]);
    assert.match(info.stdout, /web/);
  });
});
