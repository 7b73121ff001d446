// The router before and after a change, side by side in the same run: the router of a git ref
// (default main, exported with `git archive` to a temp dir) and this checkout's, each in its
// own process on the same backend, wrk against each in turn (direct to the backend as well),
// interleaved in every repetition. Prints the medians of req/s, p50/p99 and the router's CPU
// per request, and the ratios after/before: on a shared machine req/s swings between
// repetitions, CPU per request much less, so that is the figure to judge a hot-path change by.
// Then the per-request counting alone (RouterMetrics.request of each tree, in this process,
// interleaved): its nanoseconds per request, which the proxy's CPU per request is set against.
// Usage: node --import tsx bench/router/before-after.ts [--ref main] [--seconds 10] [--reps 5]
//        [--connections 50]
import { execSync, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { cpuNs } from "./cpu.js";
import { ensureTools } from "./tools.js";
import { waitForPort } from "./nginx.js";
import { runWrk, type WrkResult } from "./wrk.js";

const { values: args } = parseArgs({
  options: {
    ref: { type: "string", default: "main" },
    seconds: { type: "string", default: "10" },
    reps: { type: "string", default: "5" },
    connections: { type: "string", default: "50" },
  },
});
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const PORTS = { backend: 18091, before: 18092, after: 18093 };
const HOST = "bench.bench.local";
type Target = "direct" | "before" | "after";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The ref's src/ and package.json in a temp dir, resolving packages from this checkout. */
function exportRef(ref: string): { dir: string; sha: string } {
  const sha = execSync(`git rev-parse --short ${ref}`, { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), `wharf-router-${sha}-`));
  execSync(`git archive ${sha} src package.json | tar -x -C ${dir}`, { cwd: ROOT });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return { dir, sha };
}

async function startChild(script: string, argv: string[], port: number, tsx: boolean): Promise<ChildProcess> {
  const p = fork(fileURLToPath(new URL(script, import.meta.url)), argv, {
    execArgv: tsx ? ["--import", "tsx"] : [],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  await waitForPort(port, 60_000);
  return p;
}

interface Counting {
  request(app: string, code: number, seconds: number): void;
}

/** ns per RouterMetrics.request() call of each tree, medians of `reps` interleaved runs. */
async function countingCost(trees: Record<"before" | "after", string>, reps: number) {
  const make = async (root: string) => {
    const m = (await import(pathToFileURL(join(root, "src", "router", "metrics.ts")).href)) as {
      RouterMetrics: new () => Counting;
    };
    return new m.RouterMetrics();
  };
  const metrics = { before: await make(trees.before), after: await make(trees.after) };
  const N = 2_000_000;
  const run = (m: Counting) => {
    const t0 = process.hrtime.bigint();
    // Latencies and statuses as a proxied request's: 0.1 to 10 ms, a 5xx in 64.
    for (let i = 0; i < N; i++) m.request("bench", (i & 63) === 0 ? 502 : 200, 0.0001 + (i % 1000) * 1e-5);
    return Number(process.hrtime.bigint() - t0) / N;
  };
  run(metrics.before);
  run(metrics.after);
  const ns = { before: [] as number[], after: [] as number[] };
  for (let r = 0; r < reps; r++) {
    ns.before.push(run(metrics.before));
    ns.after.push(run(metrics.after));
  }
  return { before: median(ns.before), after: median(ns.after) };
}

async function main(): Promise<void> {
  ensureTools(["wrk"]);
  const { dir, sha } = exportRef(args.ref);
  const here = execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8" }).trim();
  const dirty = execSync("git status --porcelain src", { cwd: ROOT, encoding: "utf8" }).trim()
    ? "+changes"
    : "";
  const kids: ChildProcess[] = [];
  try {
    const backend = await startChild("./backend.mjs", [String(PORTS.backend)], PORTS.backend, false);
    kids.push(backend);
    const before = await startChild(
      "./serve.ts",
      [dir, String(PORTS.before), String(PORTS.backend)],
      PORTS.before,
      true,
    );
    kids.push(before);
    const after = await startChild(
      "./serve.ts",
      [ROOT, String(PORTS.after), String(PORTS.backend), "--windows"],
      PORTS.after,
      true,
    );
    kids.push(after);
    const targets: Record<Target, { port: number; pids: number[] }> = {
      direct: { port: PORTS.backend, pids: [] },
      before: { port: PORTS.before, pids: [before.pid!] },
      after: { port: PORTS.after, pids: [after.pid!] },
    };
    const wrk = (port: number, seconds: number) =>
      runWrk({
        url: `http://127.0.0.1:${port}/`,
        host: HOST,
        seconds,
        threads: 1,
        connections: Number(args.connections),
      });
    console.log(
      `router before (${args.ref} = ${sha}) and after (${here}${dirty}), one process each; ` +
        `wrk -t1 -c${args.connections} -d${args.seconds}s, ${args.reps} reps interleaved`,
    );
    for (const t of Object.values(targets)) await wrk(t.port, 2);
    const res: Record<Target, Array<WrkResult & { us: number }>> = { direct: [], before: [], after: [] };
    for (let rep = 1; rep <= Number(args.reps); rep++) {
      // Alternate which router goes first, so neither always follows the other.
      const order: Target[] = rep % 2 ? ["direct", "before", "after"] : ["direct", "after", "before"];
      for (const name of order) {
        const t = targets[name];
        const c0 = cpuNs(t.pids);
        const w = await wrk(t.port, Number(args.seconds));
        const us = (cpuNs(t.pids) - c0) / 1000 / w.requests;
        res[name].push({ ...w, us });
        console.log(
          `  rep ${rep} ${name.padEnd(6)} ${w.rps.toFixed(0).padStart(7)} req/s  p50 ${w.p50ms.toFixed(2)} ms` +
            `  p99 ${w.p99ms.toFixed(2)} ms${name === "direct" ? "" : `  cpu/req ${us.toFixed(1)} us`}` +
            (w.errors ? `  errors ${w.errors}` : ""),
        );
      }
    }
    const med = (t: Target, k: "rps" | "p50ms" | "p99ms" | "us") => median(res[t].map((r) => r[k]));
    console.log("medians:");
    for (const t of ["direct", "before", "after"] as const)
      console.log(
        `  ${t.padEnd(6)} ${med(t, "rps").toFixed(0).padStart(7)} req/s  p50 ${med(t, "p50ms").toFixed(2)} ms` +
          `  p99 ${med(t, "p99ms").toFixed(2)} ms${t === "direct" ? "" : `  cpu/req ${med(t, "us").toFixed(1)} us`}`,
      );
    // Per repetition ratios (the two ran back to back), then their median.
    const ratio = (k: "rps" | "us") => median(res.after.map((a, i) => a[k] / res.before[i]![k]));
    console.log(
      `after/before: req/s ${ratio("rps").toFixed(3)}, cpu per request ${ratio("us").toFixed(3)} ` +
        `(medians of the per-repetition ratios); p99 ${(med("after", "p99ms") - med("before", "p99ms")).toFixed(2)} ms`,
    );
    const c = await countingCost({ before: dir, after: ROOT }, 9);
    const added = (c.after - c.before) / 1000;
    console.log(
      `per-request counting (RouterMetrics.request, 2M calls, median of 9): before ${c.before.toFixed(1)} ns, ` +
        `after ${c.after.toFixed(1)} ns: +${(c.after - c.before).toFixed(1)} ns per request = ` +
        `${((added / med("before", "us")) * 100).toFixed(3)}% of the router's ${med("before", "us").toFixed(1)} us CPU per request`,
    );
  } finally {
    for (const k of kids.reverse()) k.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
