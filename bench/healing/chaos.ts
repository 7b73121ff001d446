// The chaos round the healing e2e test and bench share: with a bounded load running through
// the router, take one node away, time detection (node list says unhealthy) and full
// capacity (app info shows every desired unit started on live nodes, web units routable),
// check requests succeed again, bring the node back and check the store and the nodes agree
// (every unit has exactly one container, on its node; no container without a unit).
// Two ways to lose a node: "kill" its dockerd (its containers keep running, unmanaged, as
// on a daemon crash), or "cut" its link (`ip link set <veth> down`: dockerd and containers
// keep running, unreachable; when the link returns, the containers of units rescheduled
// meanwhile are duplicates the healer must remove, and the router must never send to them).
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { request } from "undici";
import { restartNode, stopNode } from "../../src/cluster/dev/cluster.js";
import { nodeNames } from "../../src/cluster/dev/layout.js";
import { setNodeLink } from "../../src/cluster/dev/network.js";
import { testLayout } from "../../test/support/dev-cluster.js";
import { streamDeploy, tarGz, type WharfE2E } from "../../test/support/wharf-e2e.js";

/** Fast detection for the chaos runs (the defaults: 1000 ms, 1000 ms, 3). */
export const CHAOS_ENV = {
  WHARF_NODE_MONITOR_INTERVAL_MS: "500",
  WHARF_NODE_MONITOR_TIMEOUT_MS: "500",
  WHARF_NODE_FAILURE_THRESHOLD: "2",
  WHARF_HEAL_INTERVAL_MS: "1000",
};

export interface ChaosApp {
  name: string;
  web: number;
  worker: number;
}

export interface UnitInfo {
  ID: string;
  Name: string;
  ProcessName: string;
  Status: string;
  Routable: boolean;
  Node: string;
  Version: number;
  Restarts: number;
  LastExitReason: string;
  LastExitCode: number | null;
}

export async function appUnits(w: WharfE2E, app: string): Promise<UnitInfo[]> {
  const r = await w.api("GET", `/apps/${app}`);
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { units?: UnitInfo[] }).units ?? [];
}

export async function nodeStatus(w: WharfE2E, address: string): Promise<string> {
  const r = await w.api("GET", "/node");
  assert.equal(r.status, 200, r.body);
  const n = (JSON.parse(r.body) as { nodes: Array<{ Address: string; Status: string }> }).nodes.find(
    (x) => x.Address === address,
  );
  return n?.Status ?? "";
}

export const nodeAddress = (w: WharfE2E, i: number): string => `https://${w.info.nodes[i]!.address}:2376`;

/** A web process answering its unit's hostname, and a worker that idles. */
export async function deployChaosApp(w: WharfE2E, a: ChaosApp): Promise<void> {
  await w.ok(["app", "create", a.name, "node", "-t", "devs"]);
  const archive = await tarGz([
    {
      name: "server.js",
      content: `require("http").createServer((q, s) => s.end(require("os").hostname())).listen(process.env.PORT);
process.on("SIGTERM", () => process.exit(0));
`,
    },
    {
      name: "worker.js",
      content: `setInterval(() => {}, 1000);\nprocess.on("SIGTERM", () => process.exit(0));\n`,
    },
    { name: "Procfile", content: "web: node server.js\nworker: node worker.js\n" },
    { name: "tsuru.yaml", content: "healthcheck:\n  path: /\n  status: 200\n" },
  ]);
  const r = await streamDeploy(w, a.name, archive);
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /\nOK\n$/, r.text);
  if (a.web > 1) await w.ok(["unit", "add", String(a.web - 1), "-a", a.name, "-p", "web"]);
  if (a.worker > 1) await w.ok(["unit", "add", String(a.worker - 1), "-a", a.name, "-p", "worker"]);
}

/** Whether the app has its full capacity, none of it on `avoid`. */
export function fullCapacity(units: readonly UnitInfo[], a: ChaosApp, avoid?: string): boolean {
  const live = units.filter((u) => u.Status === "started" && u.Node !== avoid);
  const web = live.filter((u) => u.ProcessName === "web" && u.Routable).length;
  const worker = live.filter((u) => u.ProcessName === "worker").length;
  return web === a.web && worker === a.worker && units.length === a.web + a.worker;
}

export interface Load {
  stop(): Promise<{ requests: number; failures: number; failuresAfter: (t: number) => number }>;
}

/** `workers` loops of GETs through the router, each waiting `pauseMs` between requests. */
export function startLoad(w: WharfE2E, app: string, workers = 4, pauseMs = 20): Load {
  let on = true;
  const failures: number[] = [];
  let requests = 0;
  const loop = async (): Promise<void> => {
    while (on) {
      requests++;
      try {
        const res = await request(`${w.routerUrl}/`, {
          headers: { host: `${app}.wharf.localhost` },
          headersTimeout: 2000,
          bodyTimeout: 2000,
        });
        await res.body.text();
        if (res.statusCode !== 200) failures.push(performance.now());
      } catch {
        failures.push(performance.now());
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const loops = Array.from({ length: workers }, loop);
  return {
    async stop() {
      on = false;
      await Promise.all(loops);
      return {
        requests,
        failures: failures.length,
        failuresAfter: (t) => failures.filter((x) => x > t).length,
      };
    },
  };
}

async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  stepMs = 100,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export type NodeLoss = "kill" | "cut";

export interface RoundResult {
  round: number;
  node: number;
  kind: NodeLoss;
  /** Node killed → node list says unhealthy. */
  detectMs: number;
  /** Node killed → every desired unit started on live nodes, web units routable. */
  fullMs: number;
  requests: number;
  /** Failed requests through the router during the round (any time). */
  failures: number;
  /** Failed requests after full capacity was reached. */
  failuresAfterFull: number;
  /** Units of the app after the node returned. */
  units: number;
  /** Desired units missing after the node returned (0 when nothing was lost). */
  lost: number;
  /** Full capacity once the node is back (and its leftovers gone). */
  fullAfter: boolean;
  /** Where store and nodes disagreed a minute after the node returned (storeProblems). */
  problems: string[];
}

/**
 * Where the store and the nodes disagree (none when consistent): every unit container on
 * the nodes belongs to a unit of app info, once each, on the node the store says, and every
 * unit has its container.
 */
export async function storeProblems(w: WharfE2E, apps: readonly string[]): Promise<string[]> {
  const known = new Map<string, UnitInfo>();
  for (const app of apps) for (const u of await appUnits(w, app)) known.set(u.Name, u);
  const containers = (await w.managedContainers()).filter((c) => apps.includes(c.app));
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const c of containers) {
    const u = known.get(c.unit);
    if (!u) problems.push(`container ${c.name} on node ${c.node}: no unit ${c.unit} in the store`);
    else if (u.Node !== nodeAddress(w, c.node))
      problems.push(`container ${c.name} on node ${c.node}: its unit is on ${u.Node}`);
    seen.set(c.unit, (seen.get(c.unit) ?? 0) + 1);
  }
  for (const [unit, n] of seen) if (n > 1) problems.push(`unit ${unit} has ${n} containers`);
  for (const u of known.values()) if (!seen.has(u.Name)) problems.push(`unit ${u.Name} has no container`);
  return problems;
}

export async function assertNoDuplicates(w: WharfE2E, apps: readonly string[], what: string): Promise<void> {
  assert.deepEqual(await storeProblems(w, apps), [], `${what}: store and nodes disagree`);
}

/** Takes node `node` (0-based) away the `kind` way, or brings it back. */
async function loseNode(kind: NodeLoss, node: number, away: boolean): Promise<void> {
  const l = testLayout();
  // The dev cluster numbers its nodes from 1; info.nodes from 0.
  const devIndex = node + 1;
  if (kind === "cut") await setNodeLink(nodeNames(l, devIndex), !away);
  else if (away) await stopNode(devIndex, l);
  else await restartNode(devIndex, l);
}

export async function chaosRound(
  w: WharfE2E,
  a: ChaosApp,
  round: number,
  node: number,
  kind: NodeLoss = "kill",
): Promise<RoundResult> {
  const address = nodeAddress(w, node);
  await waitFor(`the app at full capacity before round ${round}`, 120_000, async () =>
    fullCapacity(await appUnits(w, a.name), a),
  );
  const load = startLoad(w, a.name);
  const t0 = performance.now();
  let detectMs = 0;
  let fullMs = 0;
  try {
    await loseNode(kind, node, true);
    await waitFor(`node ${node} to be seen unhealthy`, 60_000, async () => {
      if ((await nodeStatus(w, address)) !== "unhealthy") return false;
      detectMs = performance.now() - t0;
      return true;
    });
    await waitFor(`${a.name} back at full capacity without node ${node}`, 180_000, async () => {
      if (!fullCapacity(await appUnits(w, a.name), a, address)) return false;
      fullMs = performance.now() - t0;
      return true;
    });
  } catch (e) {
    await load.stop();
    await loseNode(kind, node, false);
    throw e;
  }
  const tFull = performance.now();
  // Requests succeed again: a run in a row, every one answered by a live unit.
  for (let i = 0; i < 20; i++) {
    const r = await w.get(a.name);
    assert.equal(r.status, 200, `round ${round}: request ${i} after full capacity: ${r.body}`);
  }
  const stats = await load.stop();
  await loseNode(kind, node, false);
  await waitFor(
    `node ${node} to be ready again`,
    120_000,
    async () => (await nodeStatus(w, address)) === "ready",
  );
  // The returning node's leftovers go (healthy transition sweep, then every healer pass);
  // what is still wrong after a minute is reported, not waited for.
  let problems: string[] = [];
  await waitFor(`node ${node}'s leftover containers to be removed`, 60_000, async () => {
    problems = await storeProblems(w, [a.name]);
    return problems.length === 0;
  }).catch(() => undefined);
  const units = await appUnits(w, a.name);
  const started = units.filter((u) => u.Status === "started").length;
  return {
    round,
    node,
    kind,
    detectMs,
    fullMs,
    requests: stats.requests,
    failures: stats.failures,
    failuresAfterFull: stats.failuresAfter(tFull),
    units: units.length,
    lost: Math.max(0, a.web + a.worker - started),
    fullAfter: fullCapacity(units, a),
    problems,
  };
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
}

export function describeRound(r: RoundResult): string {
  return `round ${r.round} (${r.kind} node ${r.node}): detected ${(r.detectMs / 1000).toFixed(2)} s, full capacity ${(r.fullMs / 1000).toFixed(2)} s, ${r.requests} requests, ${r.failures} failed (${r.failuresAfterFull} after full capacity), ${r.lost} units lost, store ${r.problems.length ? `INCONSISTENT: ${r.problems.join("; ")}` : "consistent"}`;
}
