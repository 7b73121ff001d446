// What every domain service needs: the store and a few settings. Built once by the API.
import type { Store } from "../../store/types.js";
import { FailureLimiter } from "../rate-limit.js";

export interface RouterInfo {
  name: string;
  type: string;
  domain: string;
  default: boolean;
  /** Ports the router serves apps on, when this server runs it (browsers need them in app URLs). */
  httpPort?: number;
  httpsPort?: number;
}

export interface ServiceSettings {
  instanceId: string;
  sessionTtlMs: number;
  userRegistration: boolean;
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerAddress: number;
  loginWindowMs: number;
  routers: RouterInfo[];
  /** The API's address as users reach it, for git remote URLs ("" = each request's own). */
  publicUrl?: string;
  /** Where the server keeps local state (git repositories live under it). */
  dataDir?: string;
}

export interface Ctx {
  store: Store;
  settings: ServiceSettings;
  limiter: FailureLimiter;
  now: () => Date;
  /**
   * Resolved principals by token hash, kept for AUTH_CACHE_MS. The API clears it after
   * every mutation in this process, so revocations here apply at once; other servers
   * sharing the database see them within AUTH_CACHE_MS.
   */
  authCache: Map<string, { principal: import("./principal.js").Principal; until: number }>;
  /** Running events on apps, for the `lock` field of app list/info (see LOCKS_CACHE_MS). */
  locksCache: { until: number; byApp: Map<string, import("../../store/types.js").EventRecord> } | null;
  /** Hot read results (app lists, apps, plans) for READ_CACHE_MS; cleared on mutations. */
  readCache: Map<string, { until: number; value: Promise<unknown> }>;
  /** The running side (units, builds, routes); null when the server has no cluster. */
  runtime: import("./runtime-port.js").RuntimePort | null;
  /** Wharf's own PostgreSQL/Redis services; null when the server has no cluster. */
  builtin: import("./service-builtin-port.js").BuiltinServicesPort | null;
  /** Apps' git repositories (git push deploys), when the server serves them: removed with the app. */
  repos?: { remove(app: string): Promise<void> };
  /** The mail server (password resets); null when none is configured. */
  mailer: import("./mail-port.js").Mailer | null;
  /** The embedded router's HTTP port once it listens (app addresses shown after a git push). */
  routerHttpPort?: number;
}

/**
 * Reads served from memory may lag writes made by *other* servers by this much; writes
 * made through this server clear the cache before their response is sent.
 */
export const READ_CACHE_MS = 250;

export function cachedRead<T>(ctx: Ctx, key: string, load: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = ctx.readCache.get(key);
  if (hit && hit.until > now) return hit.value as Promise<T>;
  if (ctx.readCache.size > 5_000) ctx.readCache.clear();
  // Cache the promise so a burst of identical reads shares one query.
  const value = load();
  ctx.readCache.set(key, { until: now + READ_CACHE_MS, value });
  value.catch(() => ctx.readCache.delete(key));
  return value;
}

/**
 * Forget cached reads: called before and after every mutation this process handles.
 * App mutations ("apps") can't change tokens, roles or the catalogue, so they keep those.
 */
export function clearCaches(ctx: Ctx, scope: "apps" | "all" = "all"): void {
  ctx.locksCache = null;
  if (scope === "all") {
    ctx.authCache.clear();
    ctx.readCache.clear();
    return;
  }
  for (const k of ctx.readCache.keys()) if (k.startsWith("app")) ctx.readCache.delete(k);
}

export const AUTH_CACHE_MS = 2000;
/** App lock display (running app events) may lag this much; locking itself never does. */
export const LOCKS_CACHE_MS = 250;

export function makeCtx(store: Store, settings: ServiceSettings, now: () => Date = () => new Date()): Ctx {
  return {
    store,
    settings,
    limiter: new FailureLimiter(settings.loginWindowMs),
    now,
    authCache: new Map(),
    locksCache: null,
    readCache: new Map(),
    runtime: null,
    builtin: null,
    mailer: null,
  };
}
