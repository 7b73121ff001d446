// What every domain service needs: the store and a few settings. Built once by the API.
import type { Store } from "../../store/types.js";
import { FailureLimiter } from "../rate-limit.js";

export interface RouterInfo {
  name: string;
  type: string;
  domain: string;
  default: boolean;
}

export interface ServiceSettings {
  instanceId: string;
  sessionTtlMs: number;
  userRegistration: boolean;
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerAddress: number;
  loginWindowMs: number;
  routers: RouterInfo[];
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
  };
}
