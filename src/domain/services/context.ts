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
}

export function makeCtx(store: Store, settings: ServiceSettings, now: () => Date = () => new Date()): Ctx {
  return { store, settings, limiter: new FailureLimiter(settings.loginWindowMs), now };
}
