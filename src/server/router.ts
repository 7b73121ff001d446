// `wharf router`: Wharf's HTTP router as its own process. It reads the same configuration as
// `wharf server` (data dir or WHARF_DATABASE_URL), opens the store and follows routes and
// certificates through the change feed. Several routers may run against one store.
import { availableParallelism } from "node:os";
import { pino } from "pino";
import { loadConfig } from "../config/config.js";
import { storeConfigFor } from "../config/store-config.js";
import { openStore } from "../store/open.js";
import { loadRouteSnapshot } from "../store/routes.js";
import { routerSettingsFromEnv, startStoreRouter } from "../router/store-router.js";
import { routerDomain } from "../router/embedded.js";
import { secretKeyPath } from "../router/secret-box.js";

export interface RouterRun {
  /** One line for the operator: workers, domain and ports. */
  banner: string;
  /** Drains requests in flight, then releases the store. */
  close(): Promise<void>;
}

export class RouterSettingsError extends Error {}

/** `env` holds WHARF_* (the CLI's flags already folded in); `overrides` the store flags. */
export async function startRouter(
  env: NodeJS.ProcessEnv,
  overrides: { dataDir?: string; databaseUrl?: string },
  o: { accessLog: boolean },
): Promise<RouterRun> {
  const config = loadConfig(env, overrides);
  let settings;
  try {
    settings = routerSettingsFromEnv(env, {
      http: { host: "0.0.0.0", port: 8000 },
      https: { host: "0.0.0.0", port: 8443 },
      admin: { host: "127.0.0.1", port: 8001 },
      workers: availableParallelism(),
    });
  } catch (err) {
    throw new RouterSettingsError((err as Error).message);
  }
  const log = pino({ name: "wharf-router", level: config.logLevel });
  const store = await openStore(storeConfigFor(config));
  let router;
  try {
    router = await startStoreRouter({
      ...settings,
      store,
      domain: routerDomain(config),
      secretKeyPath: secretKeyPath(config.dataDir, env),
      loadSnapshot: () => loadRouteSnapshot(store),
      log,
      accessLog: o.accessLog,
      // PostgreSQL pushes changes (LISTEN/NOTIFY); another process's SQLite commits are only
      // seen by polling, so poll often: one indexed SELECT per interval keeps routes within 50 ms.
      pollIntervalMs: Number(env.WHARF_ROUTER_POLL_MS) || (store.kind === "sqlite" ? 20 : 1000),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const a = router.addresses;
  const r = router;
  return {
    banner:
      `Wharf router (${r.workers} worker${r.workers === 1 ? "" : "s"}) for *.${routerDomain(config)}: ` +
      `http :${a.http?.port}` +
      (a.https ? `, https :${a.https.port}` : "") +
      (a.admin ? `, metrics 127.0.0.1:${a.admin.port}/metrics` : ""),
    close: async () => {
      await r.close();
      await store.close();
    },
  };
}
