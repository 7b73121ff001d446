// API latency benchmark: p50/p99 and requests/s of GET /apps, GET /apps/{app} and
// POST /apps with 50 concurrent clients against the server in its own process, on SQLite
// and, when WHARF_TEST_PG_URL is set, on PostgreSQL. The load generator is wrk when
// installed (else undici in this process), and on a machine with 2+ CPUs the server is
// pinned to one CPU and the load generator to another (taskset). Bounded in time.
// Goals (SQLite): reads p99 <= 10 ms, writes p99 <= 50 ms.
//   node --import tsx bench/api/run.ts
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { scenarios, type Result, type ServerProbe } from "./scenarios.js";
import { hasWrk, runWrk } from "./load-wrk.js";
import { runUndici } from "./load-undici.js";

const here = dirname(fileURLToPath(import.meta.url));
// The repository, whether this file runs from bench/api (tsx) or from dist/bench/api.
const top = join(here, "..", "..");
const repo = basename(top) === "dist" ? dirname(top) : top;

/** Newest modification time (ms) of the .ts files under `dir`. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// The server runs as production does, compiled by tsc (`npm run build`), when dist/ is up to
// date: under tsx every nested function also pays esbuild's keep-names helper, and module
// loading goes through tsx's loader thread. Otherwise, or with BENCH_SERVER=tsx, from source.
const BUILT_SERVER = join(repo, "dist", "bench", "api", "server.js");
const builtIsCurrent = () =>
  existsSync(BUILT_SERVER) &&
  statSync(BUILT_SERVER).mtimeMs >=
    Math.max(newestTs(join(repo, "src")), statSync(join(repo, "bench", "api", "server.ts")).mtimeMs);
const SERVER_FROM =
  process.env.BENCH_SERVER === "tsx" || process.env.BENCH_SERVER === "dist"
    ? process.env.BENCH_SERVER
    : builtIsCurrent()
      ? "dist"
      : "tsx";

const CONCURRENCY = 50;
const MAX_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SEED_APPS = Number(process.env.BENCH_APPS ?? 100);
const CLIENT = process.env.BENCH_CLIENT ?? (hasWrk() ? "wrk" : "undici");
// Pinning needs two CPUs and taskset; BENCH_PIN=0 turns it off (e.g. to compare).
const CPUS = availableParallelism(); // before pinning narrows this process to one
const PIN =
  process.env.BENCH_PIN !== "0" && CPUS >= 2 && spawnSync("taskset", ["--version"]).error === undefined;
const SERVER_CPU = "1";
const CLIENT_CPU = "0";
if (PIN) spawnSync("taskset", ["-a", "-cp", CLIENT_CPU, String(process.pid)], { stdio: "ignore" });

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ=100)
  } catch {
    return NaN;
  }
}

/** Run-queue wait (ms) of a process's main thread so far, from /proc/<pid>/schedstat (ns). */
function waitMs(pid: number | undefined): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e6;
  } catch {
    return NaN;
  }
}

async function startServer(env: Record<string, string>) {
  const node = [
    process.execPath,
    ...(process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
    ...(SERVER_FROM === "dist"
      ? [BUILT_SERVER]
      : ["--import", "tsx", join(repo, "bench", "api", "server.ts")]),
  ];
  const [cmd, ...args] = PIN ? ["taskset", "-c", SERVER_CPU, ...node] : node;
  const proc = spawn(cmd!, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once("exit", (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return { proc, url };
}

/** Admin, catalogue, a member of one of two teams, SEED_APPS apps (half of them the other team's). */
async function seed(pool: Pool): Promise<string> {
  const call = async (method: "POST", path: string, token: string, body: string, type: string) => {
    const res = await pool.request({
      method,
      path,
      headers: { authorization: `bearer ${token}`, "content-type": type },
      body,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return text;
  };
  const form = (path: string, token: string, f: Record<string, string>) =>
    call("POST", path, token, new URLSearchParams(f).toString(), "application/x-www-form-urlencoded");
  const login = async (email: string, password: string) =>
    (JSON.parse(await form(`/1.0/users/${email}/tokens`, "", { password })) as { token: string }).token;
  const admin = await login("admin@example.com", "admin-password");
  await form("/1.0/pools", admin, { name: "default", default: "true" });
  await form("/1.0/plans", admin, { name: "small", memory: "128M", cpushare: "100", default: "true" });
  await form("/1.0/platforms", admin, { name: "python" });
  await form("/1.0/users", admin, { email: "dev@example.com", password: "dev-password" });
  const dev = await login("dev@example.com", "dev-password");
  await call("POST", "/1.0/teams", dev, JSON.stringify({ name: "benchteam" }), "application/json");
  await call("POST", "/1.0/teams", admin, JSON.stringify({ name: "otherteam" }), "application/json");
  for (let i = 0; i < SEED_APPS; i++) {
    // Half the apps belong to another team, so the member's list is filtered for real.
    const mine = i % 2 === 0;
    await form("/1.0/apps", mine ? dev : admin, {
      name: `seed-${i}`,
      platform: "python",
      teamOwner: mine ? "benchteam" : "otherteam",
    });
  }
  return dev;
}

async function bench(label: string, env: Record<string, string>, cleanup: () => Promise<void>) {
  const { proc, url } = await startServer(env);
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  try {
    const dev = await seed(pool);
    // BENCH_SCENARIOS=list,info,create (default all) runs a subset, e.g. to profile one.
    const only = (process.env.BENCH_SCENARIOS ?? "list,info,create").split(",");
    const results: Result[] = [];
    const probe: ServerProbe = { cpuMs: () => cpuMs(proc.pid), waitMs: () => waitMs(proc.pid) };
    for (const s of scenarios(SEED_APPS).filter((x) => only.includes(x.key)))
      results.push(
        CLIENT === "wrk"
          ? await runWrk(url, s, dev, {
              seconds: SECONDS,
              warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 2),
              concurrency: CONCURRENCY,
              pin: PIN ? ["taskset", "-c", CLIENT_CPU] : [],
              probe,
            })
          : await runUndici(pool, s, dev, {
              maxRequests: MAX_REQUESTS,
              seconds: SECONDS,
              warmup: Number(process.env.BENCH_WARMUP ?? 1000),
              concurrency: CONCURRENCY,
              probe,
            }),
      );
    console.log(
      `\n${label}: ${CONCURRENCY} concurrent clients, ${SEED_APPS} seeded apps (member of one of two teams)`,
    );
    console.log(
      "scenario          requests  errors   p50 ms   p99 ms    req/s  server CPU µs/req  server waited for CPU %",
    );
    for (const r of results)
      console.log(
        `${r.name.padEnd(17)} ${String(r.n).padStart(8)} ${String(r.errors).padStart(7)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.rps.toFixed(0).padStart(8)} ${r.cpuUs.toFixed(0).padStart(18)} ${r.waitPct.toFixed(1).padStart(24)}`,
      );
    return results;
  } finally {
    await pool.close();
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
    await cleanup();
  }
}

console.log(
  SERVER_FROM === "dist"
    ? `server: compiled (${BUILT_SERVER.slice(repo.length + 1)})`
    : `server: from source under tsx (${process.env.BENCH_SERVER === "tsx" ? "BENCH_SERVER=tsx" : "dist/ missing or older than the sources: run `npm run build` to measure what production runs"})`,
);
console.log(
  `load generator: ${CLIENT === "wrk" ? "wrk (2 threads)" : "undici in the bench process"}; ` +
    (PIN
      ? `pinned to CPU ${CLIENT_CPU}, server pinned to CPU ${SERVER_CPU} (taskset)`
      : "no CPU pinning (BENCH_PIN=0, one CPU or no taskset)") +
    `; ${CPUS} CPUs, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
);
const summary: string[] = [];
// BENCH_SYNC=FULL|NORMAL runs one SQLite setting, BENCH_SYNC=none skips SQLite.
const syncs = (process.env.BENCH_SYNC ?? "FULL,NORMAL").split(",").filter((x) => x !== "none");
for (const sync of syncs as ("FULL" | "NORMAL")[]) {
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-"));
  const r = await bench(
    `SQLite (WAL, synchronous=${sync})`,
    { BENCH_STORE_PATH: join(dir, "wharf.db"), BENCH_SQLITE_SYNC: sync },
    async () => rmSync(dir, { recursive: true, force: true }),
  );
  const reads = r.filter((x) => x.name.startsWith("GET"));
  const writes = r.filter((x) => x.name.startsWith("POST"));
  const verdict = (rs: Result[], ms: number) =>
    rs.length === 0 ? "not run" : rs.every((x) => x.p99 <= ms) ? "met" : "NOT met";
  summary.push(
    `goals (SQLite ${sync}): reads p99 <= 10 ms: ${verdict(reads, 10)}; writes p99 <= 50 ms: ${verdict(writes, 50)}`,
  );
}
console.log(`\n${summary.join("\n")}`);

const pg = process.env.WHARF_TEST_PG_URL;
if (!pg) console.log("\nPostgreSQL: skipped (set WHARF_TEST_PG_URL to a postgres:// URL to run it)");
else {
  const schema = `bench_${Date.now()}`;
  await bench("PostgreSQL", { BENCH_PG_URL: pg, BENCH_PG_SCHEMA: schema }, async () => {
    const { default: pgmod } = await import("pg");
    const c = new pgmod.Client({ connectionString: pg });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });
}
