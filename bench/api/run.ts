// API latency benchmark: p50/p99 and requests/s of GET /apps, GET /apps/{app} and
// POST /apps with 50 concurrent clients (undici) against a real HTTP server, on SQLite
// and, when WHARF_TEST_PG_URL is set, on PostgreSQL. Bounded: each scenario stops after
// BENCH_REQUESTS requests (default 5000) or BENCH_SECONDS seconds (default 10), after
// BENCH_WARMUP unmeasured requests (default 500).
// Goals (SQLite): reads p99 <= 10 ms, writes p99 <= 50 ms.
//   node --import tsx bench/api/run.ts
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "undici";
import { spawn } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const CONCURRENCY = 50;
const MAX_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const MAX_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SEED_APPS = Number(process.env.BENCH_APPS ?? 100);

interface Result {
  name: string;
  n: number;
  errors: number;
  p50: number;
  p99: number;
  rps: number;
  /** Server CPU (user + system) per measured request, in µs: steadier than latency on a busy machine. */
  cpuUs: number;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ=100)
  } catch {
    return NaN;
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function scenario(
  pool: Pool,
  name: string,
  make: (i: number) => { method: "GET" | "POST"; path: string; body?: string },
  token: string,
  okStatus: number,
  serverPid: number | undefined,
): Promise<Result> {
  // Warm-up (not measured): JIT, caches and connections settle before the clock starts.
  const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
  let w = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (w < WARMUP) {
        const r = make(MAX_REQUESTS + w++);
        const res = await pool.request({
          method: r.method,
          path: r.path,
          headers: {
            authorization: `bearer ${token}`,
            ...(r.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          },
          ...(r.body ? { body: r.body } : {}),
        });
        await res.body.text();
      }
    }),
  );
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const deadline = Date.now() + MAX_SECONDS * 1000;
  const t0 = process.hrtime.bigint();
  const cpu0 = cpuMs(serverPid);
  const worker = async (): Promise<void> => {
    while (next < MAX_REQUESTS && Date.now() < deadline) {
      const r = make(next++);
      const s = process.hrtime.bigint();
      const res = await pool.request({
        method: r.method,
        path: r.path,
        headers: {
          authorization: `bearer ${token}`,
          ...(r.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        ...(r.body ? { body: r.body } : {}),
      });
      await res.body.text();
      lat.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (res.statusCode !== okStatus) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuUs = ((cpuMs(serverPid) - cpu0) * 1000) / lat.length;
  lat.sort((a, b) => a - b);
  return { name, n: lat.length, errors, p50: pct(lat, 50), p99: pct(lat, 99), rps: lat.length / secs, cpuUs };
}

async function bench(
  label: string,
  env: Record<string, string>,
  cleanup: () => Promise<void>,
): Promise<Result[]> {
  const proc = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
      "--import",
      "tsx",
      join(here, "server.ts"),
    ],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once("exit", (code) => reject(new Error(`bench server exited ${code}`)));
  });
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  const call = async (
    method: "GET" | "POST" | "PUT",
    path: string,
    token: string,
    form?: Record<string, string>,
    json?: unknown,
  ) => {
    const res = await pool.request({
      method,
      path,
      headers: {
        authorization: `bearer ${token}`,
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        ...(json ? { "content-type": "application/json" } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : json ? { body: JSON.stringify(json) } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return text;
  };
  try {
    const login = async (email: string, pw: string) => {
      const r = await pool.request({
        method: "POST",
        path: `/1.0/users/${email}/tokens`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `password=${pw}`,
      });
      return (JSON.parse(await r.body.text()) as { token: string }).token;
    };
    const admin = await login("admin@example.com", "admin-password");
    await call("POST", "/1.0/pools", admin, { name: "default", default: "true" });
    await call("POST", "/1.0/plans", admin, {
      name: "small",
      memory: "128M",
      cpushare: "100",
      default: "true",
    });
    await call("POST", "/1.0/platforms", admin, { name: "python" });
    await call("POST", "/1.0/users", admin, { email: "dev@example.com", password: "dev-password" });
    const dev = await login("dev@example.com", "dev-password");
    await call("POST", "/1.0/teams", dev, undefined, { name: "benchteam" });
    await call("POST", "/1.0/teams", admin, undefined, { name: "otherteam" });
    for (let i = 0; i < SEED_APPS; i++) {
      // Half the apps belong to another team, so the member's list is filtered for real.
      const team = i % 2 === 0 ? "benchteam" : "otherteam";
      await call("POST", "/1.0/apps", i % 2 === 0 ? dev : admin, {
        name: `seed-${i}`,
        platform: "python",
        teamOwner: team,
      });
    }
    // BENCH_SCENARIOS=list,info,create (default all) runs a subset, e.g. to profile one.
    const only = (process.env.BENCH_SCENARIOS ?? "list,info,create").split(",");
    const results: Result[] = [];
    if (only.includes("list"))
      results.push(
        await scenario(pool, "GET /apps", () => ({ method: "GET", path: "/1.0/apps?" }), dev, 200, proc.pid),
      );
    if (only.includes("info"))
      results.push(
        await scenario(
          pool,
          "GET /apps/{app}",
          (i) => ({ method: "GET", path: `/1.0/apps/seed-${(i * 2) % SEED_APPS}` }),
          dev,
          200,
          proc.pid,
        ),
      );
    if (only.includes("create"))
      results.push(
        await scenario(
          pool,
          "POST /apps",
          (i) => ({
            method: "POST",
            path: "/1.0/apps",
            body: `name=bench-${i}&platform=python&teamOwner=benchteam&plan=&pool=&description=&router=&routeropts=`,
          }),
          dev,
          201,
          proc.pid,
        ),
      );
    console.log(
      `\n${label}: ${CONCURRENCY} concurrent clients, ${SEED_APPS} seeded apps (member of one of two teams)`,
    );
    console.log("scenario          requests  errors   p50 ms   p99 ms    req/s  server CPU µs/req");
    for (const r of results)
      console.log(
        `${r.name.padEnd(17)} ${String(r.n).padStart(8)} ${String(r.errors).padStart(7)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.rps.toFixed(0).padStart(8)} ${r.cpuUs.toFixed(0).padStart(18)}`,
      );
    return results;
  } finally {
    await pool.close();
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
    await cleanup();
  }
}

const summary: string[] = [];
// BENCH_SYNC=FULL|NORMAL runs one SQLite setting, BENCH_SYNC=none skips SQLite.
const syncs = process.env.BENCH_SYNC
  ? process.env.BENCH_SYNC.split(",").filter((x) => x !== "none")
  : ["FULL", "NORMAL"];
for (const sync of syncs as ("FULL" | "NORMAL")[]) {
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-"));
  const r = await bench(
    `SQLite (WAL, synchronous=${sync})`,
    { BENCH_STORE_PATH: join(dir, "wharf.db"), BENCH_SQLITE_SYNC: sync },
    async () => rmSync(dir, { recursive: true, force: true }),
  );
  const reads = r.filter((x) => x.name.startsWith("GET"));
  const writes = r.filter((x) => x.name.startsWith("POST"));
  summary.push(
    `goals (SQLite ${sync}): reads p99 <= 10 ms: ${reads.every((x) => x.p99 <= 10) ? "met" : "NOT met"}; writes p99 <= 50 ms: ${writes.every((x) => x.p99 <= 50) ? "met" : "NOT met"}`,
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
