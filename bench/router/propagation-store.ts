// Propagation through the store: a route change committed to the store (what the deploy service
// does before `unit add` returns) → first request through the router on the new unit, 20 trials.
// Three routers follow the same SQLite store: in-process (the embedded router: SQLite's in-process
// emitter), 2 worker processes (plus the IPC broadcast), and `wharf router` as a separate process
// (polling another process's commits every 20 ms).
// Usage: node --import tsx bench/router/propagation-store.ts [--trials 20]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { openStore } from "../../src/store/open.js";
import { ROUTE_CHANGE_KIND } from "../../src/router/source.js";
import { startStoreRouter } from "../../src/router/store-router.js";
import type { RouteSnapshot, RouteUpdate } from "../../src/router/types.js";
import { measurePropagation, type PropagationSink } from "./propagation.js";

const { values: args } = parseArgs({ options: { trials: { type: "string", default: "20" } } });
const TRIALS = Number(args.trials);
const dir = mkdtempSync(join(tmpdir(), "wharf-bench-prop-"));
// FULL synchronous, as `wharf server` runs by default: the commit includes the fsync.
const store = await openStore({ kind: "sqlite", path: join(dir, "wharf.db"), synchronous: "FULL" });

// Changes go to the store only; the routers learn them from the feed.
const sink: PropagationSink = {
  snapshot: (s: RouteSnapshot) =>
    void store.appendChange(
      ROUTE_CHANGE_KIND,
      s.apps.map((route) => ({ op: "set-app", route })),
    ),
  update: (u: RouteUpdate[]) => store.appendChange(ROUTE_CHANGE_KIND, u),
};
const log = pino({ level: "silent" });
const report = (what: string, r: Awaited<ReturnType<typeof measurePropagation>>) =>
  console.log(
    `${what.padEnd(44)} ${r.trials} trials: p50 ${r.p50ms.toFixed(2)} ms, max ${r.maxms.toFixed(2)} ms ` +
      `(store commit p50 ${r.writeP50ms.toFixed(2)} ms, not included)`,
  );

for (const workers of [1, 2]) {
  const router = await startStoreRouter({
    store,
    domain: "bench.local",
    http: { host: "127.0.0.1", port: 0 },
    workers,
    secretKeyPath: join(dir, "secret.key"),
    loadSnapshot: async () => ({ apps: [] }),
    log,
  });
  await new Promise((r) => setTimeout(r, 200));
  report(
    workers === 1 ? "embedded router (in-process feed)" : "router with 2 workers (feed + IPC)",
    await measurePropagation(sink, router.addresses.http!.port, TRIALS),
  );
  await router.close();
}

const child = spawn(
  process.execPath,
  ["--import", "tsx", "src/cli/main.ts", "router", "--data-dir", dir, "--port", "0"].concat([
    "--tls-port",
    "off",
    "--admin-port",
    "off",
    "--workers",
    "1",
  ]),
  {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, WHARF_DATABASE_URL: "", WHARF_DATA_DIR: dir, WHARF_ROUTER_DOMAIN: "bench.local" },
  },
);
let err = "";
const port = await new Promise<number>((resolve, reject) => {
  child.stderr.on("data", (d: Buffer) => {
    err += d;
    const m = /http :(\d+)/.exec(err);
    if (m) resolve(Number(m[1]));
  });
  child.once("exit", (code) => reject(new Error(`wharf router exited with ${code}: ${err}`)));
});
report("`wharf router` process (SQLite, 20 ms polling)", await measurePropagation(sink, port, TRIALS));
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
await store.close();
rmSync(dir, { recursive: true, force: true });
