// The router's view of the store: one AppRoute per app (its cnames and the units of the
// routable version that are started and marked routable). Deploys and unit changes
// publish a fresh AppRoute for the app on the change feed; routers apply it at once.
import type { App, StoreOps, UnitRecord } from "../store/types.js";
import { ROUTE_CHANGE_KIND } from "../router/source.js";
import type { AppRoute, RouteSnapshot, RouteUpdate } from "../router/types.js";

function healthcheckPath(manifest: Record<string, unknown> | undefined): string | undefined {
  const hc = manifest?.healthcheck as { path?: unknown } | undefined;
  return typeof hc?.path === "string" && hc.path ? hc.path : undefined;
}

function routeOf(app: App, units: readonly UnitRecord[], hcPath: string | undefined): AppRoute {
  return {
    app: app.name,
    cnames: app.cnames,
    backends: units
      .filter((u) => u.app === app.name && u.routable && u.status === "started" && u.host && u.port)
      .map((u) => ({ id: u.id, host: u.host, port: u.port })),
    ...(hcPath ? { healthcheckPath: hcPath } : {}),
  };
}

async function routeFor(store: StoreOps, app: App, units?: UnitRecord[]): Promise<AppRoute> {
  const rt = await store.getAppRuntime(app.name);
  const version = rt.routableVersion ? await store.findAppVersion(app.name, rt.routableVersion) : null;
  const list = units ?? (await store.listUnits({ app: app.name, routable: true }));
  return routeOf(app, list, healthcheckPath(version?.manifest));
}

/** The whole table, for a router starting or resynchronising. */
export async function loadRouteSnapshot(store: StoreOps): Promise<RouteSnapshot> {
  const [apps, units] = await Promise.all([store.listApps(), store.listUnits({ routable: true })]);
  const byApp = new Map<string, UnitRecord[]>();
  for (const u of units) byApp.set(u.app, [...(byApp.get(u.app) ?? []), u]);
  return { apps: await Promise.all(apps.map((a) => routeFor(store, a, byApp.get(a.name) ?? []))) };
}

/**
 * Publishes the app's current route (or its removal) on the change feed. Call it inside
 * the transaction that changed the units, so routers see the change exactly when it commits.
 */
export async function publishAppRoute(store: StoreOps, appName: string): Promise<void> {
  const app = await store.findApp(appName);
  const update: RouteUpdate = app
    ? { op: "set-app", route: await routeFor(store, app) }
    : { op: "remove-app", app: appName };
  await store.appendChange(ROUTE_CHANGE_KIND, [update]);
}
