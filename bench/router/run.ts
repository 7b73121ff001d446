// Router benchmark: wrk on loopback against the same backend, directly, through nginx and through
// Wharf's router, interleaved in the same run; then route propagation times.
// Usage: node --import tsx bench/router/run.ts [--seconds 10] [--reps 3] [--connections 50]
//        [--workers N[,M...]]   (each worker count is a separate round: nginx and router alike)
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRouter, startRouter } from "../../src/router/index.js";
import cluster from "node:cluster";
import { cpuNs, cpuSplitMs, withChildren } from "./cpu.js";
import { startNginx, waitForPort } from "./nginx.js";
import { measurePropagation } from "./propagation.js";
import { ensureTools } from "./tools.js";
import { runWrk, type WrkResult } from "./wrk.js";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    reps: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    threads: { type: "string", default: "1" },
    workers: { type: "string", default: String(availableParallelism()) },
    "no-propagation": { type: "boolean", default: false },
    // > 0: also a paced pass per round, each connection waiting this long between requests.
    "pace-ms": { type: "string", default: "0" },
  },
});
const SECONDS = Number(args.seconds);
const REPS = Number(args.reps);
const WORKER_COUNTS = args.workers.split(",").map(Number);
if (WORKER_COUNTS.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error(`--workers takes whole numbers ≥ 1 separated by commas, got ${args.workers}`);
const PACE_MS = Number(args["pace-ms"]);
const HOST = "bench.bench.local";
const PORTS = { backend: 18081, nginx: 18082, router: 18083 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function startBackend(): Promise<ChildProcess> {
  const p = fork(fileURLToPath(new URL("./backend.mjs", import.meta.url)), [String(PORTS.backend)], {
    execArgv: [],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  await waitForPort(PORTS.backend);
  return p;
}

type Target = "direct" | "nginx" | "router";
type Medians = Record<Target, { rps: number; p50: number; p99: number; proxyUs: number; backendUs: number }>;

/** One round: nginx and the router with `workers` each, interleaved with direct, REPS times. */
async function round(dir: string, backend: ChildProcess, workers: number): Promise<Medians> {
  const nginx = await startNginx(join(dir, `nginx-${workers}`), PORTS.nginx, PORTS.backend, workers);
  const router = await startRouter({
    domain: "bench.local",
    http: { port: PORTS.router, host: "127.0.0.1" },
    workers,
    accessLog: false, // as nginx: access_log off
    // Per-step windows handed on as the store router does (there they go to the store).
    onWindows: () => undefined,
  });
  router.snapshot({
    apps: [{ app: "bench", backends: [{ id: "b1", host: "127.0.0.1", port: PORTS.backend }] }],
  });
  const targets: Record<Target, number> = { direct: PORTS.backend, nginx: PORTS.nginx, router: PORTS.router };
  // Processes whose CPU is the target's own cost (the backend's is reported separately).
  const routerPids =
    router.workers > 1 ? Object.values(cluster.workers ?? {}).map((w) => w!.process.pid!) : [process.pid];
  const proxyPids: Record<Target, number[]> = {
    direct: [],
    nginx: withChildren(nginx.pid!),
    router: routerPids,
  };
  const results: Record<Target, (WrkResult & { proxyUs: number; backendUs: number; sysShare: number })[]> = {
    direct: [],
    nginx: [],
    router: [],
  };
  const wrk = (port: number, seconds: number, delayMs = 0) =>
    runWrk({
      delayMs,
      url: `http://127.0.0.1:${port}/`,
      host: HOST,
      seconds,
      threads: Number(args.threads),
      connections: Number(args.connections),
    });
  try {
    console.log(
      `\nwrk -t${args.threads} -c${args.connections} -d${SECONDS}s, ${REPS} reps interleaved; ` +
        `nginx and router with ${workers} worker${workers > 1 ? "s" : ""}; backend: node:http (1 process)`,
    );
    // Warm up every target (JIT, connection pools) before anything is recorded.
    for (const port of Object.values(targets)) await wrk(port, 2);
    for (let rep = 1; rep <= REPS; rep++) {
      for (const [name, port] of Object.entries(targets) as [Target, number][]) {
        const p0 = cpuNs(proxyPids[name]);
        const s0 = cpuSplitMs(proxyPids[name]);
        const b0 = cpuNs([backend.pid!]);
        const w = await wrk(port, SECONDS);
        const s1 = cpuSplitMs(proxyPids[name]);
        const r = {
          ...w,
          proxyUs: (cpuNs(proxyPids[name]) - p0) / 1000 / w.requests,
          backendUs: (cpuNs([backend.pid!]) - b0) / 1000 / w.requests,
          sysShare:
            s1.sys - s0.sys + (s1.user - s0.user) > 0
              ? (s1.sys - s0.sys) / (s1.sys - s0.sys + s1.user - s0.user)
              : 0,
        };
        results[name].push(r);
        console.log(
          `  rep ${rep} ${name.padEnd(6)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms` +
            `  cpu/req proxy ${r.proxyUs.toFixed(1)} us (${(r.sysShare * 100).toFixed(0)}% kernel) backend ${r.backendUs.toFixed(1)} us` +
            (r.errors ? `  errors ${r.errors}` : ""),
        );
      }
    }
    if (PACE_MS > 0) await paced(targets, (port) => wrk(port, SECONDS, PACE_MS));
  } finally {
    await router.close();
    const exited = new Promise((r) => nginx.once("exit", r));
    nginx.kill("SIGQUIT");
    await exited;
  }
  const med = Object.fromEntries(
    Object.entries(results).map(([k, rs]) => [
      k,
      {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50ms)),
        p99: median(rs.map((r) => r.p99ms)),
        proxyUs: median(rs.map((r) => r.proxyUs)),
        backendUs: median(rs.map((r) => r.backendUs)),
      },
    ]),
  ) as Medians;
  console.log(`medians (${workers} worker${workers > 1 ? "s" : ""}):`);
  for (const [k, m] of Object.entries(med)) {
    console.log(
      `  ${k.padEnd(6)} ${m.rps.toFixed(0).padStart(8)} req/s  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms` +
        `  cpu/req proxy ${m.proxyUs.toFixed(1)} us backend ${m.backendUs.toFixed(1)} us`,
    );
  }
  return med;
}

/**
 * Latency below saturation: every connection waits PACE_MS between requests, so the added p99 is
 * what each hop costs rather than queueing behind a saturated process. (On a VM, idle vCPUs wake
 * up slowly: this pass measures that too, for every target alike.)
 */
async function paced(
  targets: Record<Target, number>,
  run: (port: number) => Promise<WrkResult>,
): Promise<void> {
  const res: Record<Target, WrkResult[]> = { direct: [], nginx: [], router: [] };
  for (let rep = 1; rep <= REPS; rep++)
    for (const [name, port] of Object.entries(targets) as [Target, number][]) res[name].push(await run(port));
  console.log(`paced (${PACE_MS} ms between requests per connection), medians:`);
  for (const [k, rs] of Object.entries(res))
    console.log(
      `  ${k.padEnd(6)} ${median(rs.map((r) => r.rps))
        .toFixed(0)
        .padStart(8)} req/s  ` +
        `p50 ${median(rs.map((r) => r.p50ms)).toFixed(2)} ms  p99 ${median(rs.map((r) => r.p99ms)).toFixed(2)} ms`,
    );
  const p99 = (t: Target) => median(res[t].map((r) => r.p99ms));
  console.log(
    `  paced: router p99 - direct p99 ${(p99("router") - p99("direct")).toFixed(2)} ms, ` +
      `nginx p99 - direct p99 ${(p99("nginx") - p99("direct")).toFixed(2)} ms`,
  );
}

function verdicts(workers: number, med: Medians): void {
  const ratio = med.router.rps / med.nginx.rps;
  const added = med.router.p99 - med.direct.p99;
  console.log(`\n${workers} worker${workers > 1 ? "s" : ""} each:`);
  console.log(`  router/nginx req/s: ${ratio.toFixed(2)} (goal >= 0.80) ${ratio >= 0.8 ? "MET" : "NOT MET"}`);
  console.log(
    `  router p99 - direct p99: ${added.toFixed(2)} ms (goal <= 1.00) ${added <= 1 ? "MET" : "NOT MET"}`,
  );
  console.log(`  nginx p99 - direct p99: ${(med.nginx.p99 - med.direct.p99).toFixed(2)} ms (for reference)`);
  console.log(
    `  proxy CPU per request, router/nginx: ${(med.router.proxyUs / med.nginx.proxyUs).toFixed(2)} ` +
      `(${med.router.proxyUs.toFixed(1)} us vs ${med.nginx.proxyUs.toFixed(1)} us)`,
  );
}

async function main(): Promise<void> {
  ensureTools();
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-router-"));
  const backend = await startBackend();
  const all: [number, Medians][] = [];
  try {
    for (const workers of WORKER_COUNTS) all.push([workers, await round(dir, backend, workers)]);
  } finally {
    backend.kill();
  }
  for (const [workers, med] of all) verdicts(workers, med);

  if (args["no-propagation"]) return void rmSync(dir, { recursive: true, force: true });
  // Propagation, in-process (a direct table swap) and across the worker processes (IPC broadcast).
  const single = createRouter({ domain: "bench.local", http: { port: 0, host: "127.0.0.1" } });
  await single.listen();
  const p1 = await measurePropagation(single, single.addresses.http!.port, 20);
  await single.close();
  console.log(
    `\npropagation in-process (update call → first request on the new backend), ${p1.trials} trials: ` +
      `p50 ${p1.p50ms.toFixed(2)} ms, max ${p1.maxms.toFixed(2)} ms`,
  );
  const workers = Math.max(2, ...WORKER_COUNTS);
  const multi = await startRouter({
    domain: "bench.local",
    http: { port: 0, host: "127.0.0.1" },
    workers,
  });
  const p2 = await measurePropagation(multi, multi.addresses.http!.port, 20);
  await multi.close();
  console.log(
    `propagation with ${workers} workers (primary → workers over IPC), ${p2.trials} trials: ` +
      `p50 ${p2.p50ms.toFixed(2)} ms, max ${p2.maxms.toFixed(2)} ms`,
  );
  rmSync(dir, { recursive: true, force: true });
}

await main();
