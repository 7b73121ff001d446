// Route data as the control plane describes it. Plain JSON so it crosses IPC, HTTP and the store's
// change feed unchanged. The store publishes routes (src/store/routes.ts); these are the same
// records with what only the router's own API sets.
import type { PublishedRoute, RouteBackend } from "../store/routes.js";

export type Backend = RouteBackend;

export interface AppRoute extends PublishedRoute {
  /** Answer plain-HTTP requests with a redirect to https. */
  httpsRedirect?: boolean;
}

export interface RouteSnapshot {
  apps: AppRoute[];
}

/** Incremental changes; each is idempotent so an at-least-once feed can replay them safely. */
export type RouteUpdate =
  | { op: "set-app"; route: AppRoute }
  | { op: "remove-app"; app: string }
  | { op: "add-backend"; app: string; backend: Backend }
  | { op: "remove-backend"; app: string; id: string }
  | { op: "set-cnames"; app: string; cnames: string[] }
  | {
      op: "set-settings";
      app: string;
      healthcheckPath?: string | null;
      httpsRedirect?: boolean;
    };
