// The server side of bench/api/run.ts, in its own process so client and server don't
// share one CPU. Store from BENCH_STORE_KIND/BENCH_STORE_PATH or BENCH_PG_URL/BENCH_PG_SCHEMA.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pino } from "pino";
import { openStore } from "../../src/store/open.js";
import type { StoreConfig } from "../../src/store/types.js";
import { createServer, initAdmin } from "../../src/server/index.js";
import { loadConfig } from "../../src/config/config.js";

const cfg: StoreConfig = process.env.BENCH_PG_URL
  ? {
      kind: "postgres",
      url: process.env.BENCH_PG_URL,
      schema: process.env.BENCH_PG_SCHEMA ?? "public",
      poolSize: 20,
    }
  : {
      kind: "sqlite",
      path: process.env.BENCH_STORE_PATH ?? "wharf-bench.db",
      synchronous: process.env.BENCH_SQLITE_SYNC === "NORMAL" ? "NORMAL" : "FULL",
    };
const store = await openStore(cfg);
await initAdmin(store, "admin@example.com", "admin-password");
const app = await createServer({
  store,
  config: loadConfig({}, { logLevel: "warn" }),
  logger: pino({ level: "warn" }),
});
// BENCH_ELD=1: report how long the event loop was blocked (is the tail the server's work or
// the machine's scheduling?), from the first request on.
const eld = process.env.BENCH_ELD ? monitorEventLoopDelay({ resolution: 1 }) : null;
eld?.enable();
const url = await app.listen({ host: "127.0.0.1", port: 0 });
console.log(`LISTENING ${url}`);
process.on("SIGTERM", () => {
  if (eld)
    console.error(
      `server event-loop delay ms: p50 ${(eld.percentile(50) / 1e6).toFixed(2)} p99 ${(eld.percentile(99) / 1e6).toFixed(2)} max ${(eld.max / 1e6).toFixed(2)}`,
    );
  void app
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
