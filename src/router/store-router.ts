// A router fed by the store: routes through StoreRouteSource (change feed), certificates through
// StoreCertificateFollower. Used by `wharf router` (its own process) and by `wharf server`
// (embedded, see embedded.ts). Several such routers may follow one store at once.
//
// Each router writes what it counted per app and 10 s step into the store (router_metrics),
// under its own id, and the servers read those rows (src/metrics/service.ts). The store rather
// than the API: every router already holds a store connection and no API credentials, the
// rows survive a server restart, and every server on PostgreSQL sees every router's counts.
// The embedded router also hands its rows to its server in-process (onCounted), so they are
// in the server's memory at the step's end instead of at its next read of the store.
import { availableParallelism, hostname } from "node:os";
import type { Logger } from "pino";
import { startRouter, type RunningRouter } from "./index.js";
import { loadSecretKey } from "./secret-box.js";
import { StoreRouteSource, type ChangeFeed } from "./source.js";
import { StoreCertificateFollower, type CertificateStore } from "./store-certs.js";
import type { Listen } from "./config.js";
import type { RouteSnapshot } from "./types.js";
import type { MetricStoreOps, RouterMetricWindow } from "../store/metric-types.js";
import type { AppWindow } from "./metrics.js";

export interface RouterListenSettings {
  http: Listen;
  /** HTTPS with SNI; undefined = no TLS listener. */
  https?: Listen;
  admin?: Listen;
  workers: number;
}

export interface StoreRouterOptions extends RouterListenSettings {
  store: ChangeFeed & CertificateStore & Pick<MetricStoreOps, "appendRouterMetrics">;
  /** This router's name in router_metrics (default host name and pid). */
  routerId?: string;
  /** Also receives every step's rows in-process, before they are stored (the embedded router's server). */
  onCounted?: (rows: RouterMetricWindow[]) => void;
  domain: string;
  /** Path of the secret key file that decrypts certificate keys. */
  secretKeyPath: string;
  /** Builds the full table from the store (src/reconcile/routes.ts loadRouteSnapshot). */
  loadSnapshot(): Promise<RouteSnapshot>;
  log: Pick<Logger, "warn" | "info">;
  accessLog?: boolean | Logger;
  pollIntervalMs?: number;
}

export interface StoreRouter extends RunningRouter {
  /** Reload certificates now (the feed does it by itself; for callers that just wrote one). */
  reloadCertificates(): Promise<void>;
}

function port(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`invalid ${name} "${v}": use a port number from 0 to 65535`);
  return n;
}

/**
 * Listen settings from WHARF_ROUTER_* variables over `defaults`: HOST/PORT (data port),
 * TLS_PORT ("off" disables HTTPS), ADMIN_PORT (metrics; "off"), WORKERS (processes; "auto" = cores).
 */
export function routerSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  defaults: RouterListenSettings,
): RouterListenSettings {
  const host = env.WHARF_ROUTER_HOST || defaults.http.host || "127.0.0.1";
  const out: RouterListenSettings = {
    http: {
      host,
      port: env.WHARF_ROUTER_PORT ? port(env.WHARF_ROUTER_PORT, "WHARF_ROUTER_PORT") : defaults.http.port,
    },
    workers: defaults.workers,
  };
  const tls = env.WHARF_ROUTER_TLS_PORT;
  if (tls === "off") delete out.https;
  else if (tls) out.https = { host, port: port(tls, "WHARF_ROUTER_TLS_PORT") };
  else if (defaults.https) out.https = { host, ...defaults.https };
  const admin = env.WHARF_ROUTER_ADMIN_PORT;
  if (admin && admin !== "off")
    out.admin = { host: "127.0.0.1", port: port(admin, "WHARF_ROUTER_ADMIN_PORT") };
  else if (!admin && defaults.admin) out.admin = defaults.admin;
  const w = env.WHARF_ROUTER_WORKERS;
  if (w === "auto") out.workers = availableParallelism();
  else if (w) {
    const n = Number(w);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`invalid WHARF_ROUTER_WORKERS "${w}": use 1 or more, or auto`);
    out.workers = n;
  }
  return out;
}

export async function startStoreRouter(o: StoreRouterOptions): Promise<StoreRouter> {
  const key = loadSecretKey(o.secretKeyPath);
  const source = new StoreRouteSource({
    feed: o.store,
    loadSnapshot: o.loadSnapshot,
    ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
    onError: (err) =>
      o.log.warn({ err }, "router: could not read routes from the store; serving the last table"),
  });
  const id = o.routerId ?? `${hostname()}:${process.pid}`;
  const onWindows = (ts: number, windows: AppWindow[], part: string) => {
    const router = part ? `${id}/${part}` : id;
    const rows = windows.map((w) => ({ router, ts, ...w }));
    o.onCounted?.(rows);
    o.store
      .appendRouterMetrics(rows)
      .catch((err: unknown) => o.log.warn({ err }, "router: could not store its request counts"));
  };
  const running = await startRouter({
    onWindows,
    domain: o.domain,
    http: o.http,
    ...(o.https ? { https: o.https } : {}),
    ...(o.admin ? { admin: o.admin } : {}),
    workers: o.workers,
    source,
    accessLog: o.accessLog ?? false,
  });
  const certs = new StoreCertificateFollower({
    store: o.store,
    key,
    sink: running,
    ...(o.pollIntervalMs !== undefined ? { pollIntervalMs: o.pollIntervalMs } : {}),
    // Only the cname and the reason: never the key or the envelope.
    onError: (err, cname) =>
      o.log.warn({ cname, reason: (err as Error).message }, "router: certificate could not be loaded"),
  });
  try {
    await certs.start();
  } catch (err) {
    await running.close();
    throw err;
  }
  return {
    ...running,
    setCertificates: (c) => running.setCertificates(c),
    reloadCertificates: () => certs.reload(),
    async close() {
      await certs.stop();
      await running.close();
    },
  };
}
