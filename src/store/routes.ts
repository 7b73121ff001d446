// Route publication, in exactly one place: the store's own transactions. Every write that can
// change what the router serves for an app (a routable unit's row, the routable version, the
// app's cnames, the app itself) marks the app in its transaction (./sql/deploys-ops.ts,
// ./sql/apps-ops.ts); before the transaction commits, the store publishes each marked app's
// fresh route on the change feed (./sql/store-base.ts). Routers apply it as it commits, so
// traffic follows the units exactly, whoever changed them: deploys, unit operations, the
// healer, start-up convergence. No caller publishes a route itself.
import type { App, StoreOps, UnitRecord } from "./types.js";

/** The change-feed kind routers follow (src/router/source.ts). */
export const ROUTE_CHANGE_KIND = "router.routes";

export interface RouteBackend {
  /** Unit id: stable across updates so a backend's pool and health state survive table swaps. */
  id: string;
  host: string;
  port: number;
}

/** An app's route as the store publishes it (src/router/types.ts AppRoute is this and more). */
export interface PublishedRoute {
  app: string;
  backends: RouteBackend[];
  cnames?: string[];
  /** Path probed by active health checks (tsuru.yaml healthcheck.path); none = no active checks. */
  healthcheckPath?: string;
}

export type PublishedUpdate = { op: "set-app"; route: PublishedRoute } | { op: "remove-app"; app: string };

/** Apps whose route a transaction changed, per executor (a transaction runs on one at a time). */
const marks = new WeakMap<object, Set<string>>();

/** Notes that the transaction running on `db` changed the app's route. */
export function markRoute(db: object, app: string): void {
  let s = marks.get(db);
  if (!s) marks.set(db, (s = new Set()));
  s.add(app);
}

/** The apps marked on `db` since the last call, forgetting them. */
export function takeMarkedRoutes(db: object): string[] {
  const s = marks.get(db);
  if (!s?.size) return [];
  const apps = [...s];
  s.clear();
  return apps;
}

/** Does a unit row's change (before/after) touch the route? Only routable units are served. */
export function unitChangeRoutes(
  patch: { routable?: boolean; status?: string; host?: string; port?: number },
  after: Pick<UnitRecord, "routable">,
): boolean {
  if (patch.routable !== undefined) return true;
  const served = patch.status !== undefined || patch.host !== undefined || patch.port !== undefined;
  return served && after.routable;
}

function healthcheckPath(manifest: Record<string, unknown> | undefined): string | undefined {
  const hc = manifest?.healthcheck as { path?: unknown } | undefined;
  return typeof hc?.path === "string" && hc.path ? hc.path : undefined;
}

function routeOf(app: App, units: readonly UnitRecord[], hcPath: string | undefined): PublishedRoute {
  return {
    app: app.name,
    cnames: app.cnames,
    backends: units
      .filter((u) => u.app === app.name && u.routable && u.status === "started" && u.host && u.port)
      .map((u) => ({ id: u.id, host: u.host, port: u.port })),
    ...(hcPath ? { healthcheckPath: hcPath } : {}),
  };
}

async function routeFor(store: StoreOps, app: App, units?: UnitRecord[]): Promise<PublishedRoute> {
  const rt = await store.getAppRuntime(app.name);
  const version = rt.routableVersion ? await store.findAppVersion(app.name, rt.routableVersion) : null;
  const list = units ?? (await store.listUnits({ app: app.name, routable: true }));
  return routeOf(app, list, healthcheckPath(version?.manifest));
}

/** The whole table, for a router starting or resynchronising. */
export async function loadRouteSnapshot(store: StoreOps): Promise<{ apps: PublishedRoute[] }> {
  const [apps, units] = await Promise.all([store.listApps(), store.listUnits({ routable: true })]);
  const byApp = new Map<string, UnitRecord[]>();
  for (const u of units) byApp.set(u.app, [...(byApp.get(u.app) ?? []), u]);
  return { apps: await Promise.all(apps.map((a) => routeFor(store, a, byApp.get(a.name) ?? []))) };
}

/** Publishes the current route (or its removal) of each app, in the caller's transaction. */
export async function publishRoutes(t: StoreOps, apps: readonly string[]): Promise<void> {
  const updates: PublishedUpdate[] = [];
  for (const name of apps) {
    const app = await t.findApp(name);
    updates.push(app ? { op: "set-app", route: await routeFor(t, app) } : { op: "remove-app", app: name });
  }
  if (updates.length) await t.appendChange(ROUTE_CHANGE_KIND, updates);
}
