// Route data as the control plane describes it. Plain JSON so it crosses IPC, HTTP and the store's
// change feed unchanged.

export interface Backend {
  /** Unit id: stable across updates so a backend's pool and health state survive table swaps. */
  id: string;
  host: string;
  port: number;
}

export interface AppRoute {
  app: string;
  backends: Backend[];
  cnames?: string[];
  /** Path probed by active health checks (tsuru.yaml healthcheck.path); none = no active checks. */
  healthcheckPath?: string;
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
