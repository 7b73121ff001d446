// The router inside `wharf server` (single-machine default): same store, same configuration, one
// process unless WHARF_ROUTER_WORKERS says otherwise. src/api/server.ts calls startEmbeddedRouter.
import type { Logger } from "pino";
import type { WharfConfig } from "../config/config.js";
import type { Store } from "../store/types.js";
import { loadRouteSnapshot } from "../store/routes.js";
import type { RouteSnapshot } from "./types.js";
import { secretKeyPath } from "./secret-box.js";
import {
  routerSettingsFromEnv,
  startStoreRouter,
  type StoreRouter,
  type StoreRouterOptions,
} from "./store-router.js";

/** The default router's domain from the configuration (apps answer at <app>.<domain>). */
export function routerDomain(config: WharfConfig): string {
  return (config.routers.find((r) => r.default) ?? config.routers[0])?.domain ?? "wharf.localhost";
}

export async function startEmbeddedRouter(
  store: Store,
  config: WharfConfig,
  log: Logger,
  opts: {
    env?: NodeJS.ProcessEnv;
    loadSnapshot?: () => Promise<RouteSnapshot>;
    /** The server's metrics: each step's request counts, in-process (they are stored too). */
    onCounted?: StoreRouterOptions["onCounted"];
  } = {},
): Promise<StoreRouter> {
  const env = opts.env ?? process.env;
  const settings = routerSettingsFromEnv(env, {
    http: { host: "127.0.0.1", port: 8000 },
    https: { host: "127.0.0.1", port: 8443 },
    workers: 1,
  });
  const loadSnapshot = opts.loadSnapshot ?? (() => loadRouteSnapshot(store));
  const router = await startStoreRouter({
    ...settings,
    store,
    domain: routerDomain(config),
    secretKeyPath: secretKeyPath(config.dataDir, env),
    loadSnapshot,
    log,
    ...(opts.onCounted ? { onCounted: opts.onCounted } : {}),
  });
  log.info(
    { http: router.addresses.http?.port, https: router.addresses.https?.port, workers: router.workers },
    "router listening",
  );
  return router;
}
