// tsuru's app-router-list/add/update/remove and app-routes-rebuild, for Wharf's routers: every
// app is routed by the router it was created with (one type, "wharf"), so adding another is
// refused with tsuru's errors (unknown router 404, linked already 409) and removing the app's
// only router is refused too, since the app would still be served. Options are kept and shown.
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import { appContexts } from "../permissions.js";
import { routersOf, visibleApp, type RouterView } from "./app-read.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import { authorize, type Principal } from "./principal.js";
import { mapped } from "./store-errors.js";

const OPT_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function checkOpts(opts: Record<string, string>): void {
  const keys = Object.keys(opts).filter((k) => k !== "");
  if (keys.length > 30) throw new BadRequestError("At most 30 router options.");
  for (const k of keys) {
    if (!OPT_KEY.test(k))
      throw new BadRequestError(`Invalid router option "${clip(k)}": use letters, digits, ".", "_" or "-".`);
    if (opts[k]!.length > 1024 || /[\r\n\0]/.test(opts[k]!))
      throw new BadRequestError(`Invalid value for router option "${clip(k)}".`);
  }
}

function known(ctx: Ctx, name: string): void {
  if (!name) throw new BadRequestError("You must give the router's name: tsuru app-router-add ROUTER.");
  if (!ctx.settings.routers.some((r) => r.name === name))
    throw new NotFoundError(`router "${clip(name)}" not found: run tsuru router-list to see the routers.`);
}

/** With status fields as tsuru 1.8 sends them (Wharf's routers report no per-app status). */
export async function listAppRouters(
  ctx: Ctx,
  p: Principal,
  app: string,
): Promise<(RouterView & Record<string, string | object>)[]> {
  const a = await visibleApp(ctx, p, app, "app.read.router");
  return routersOf(ctx, a).map((r) => ({ ...r, status: "ready", "status-detail": "" }));
}

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

type App = Awaited<ReturnType<typeof visibleApp>>;

function linked(a: App, name: string): void {
  if (!a.routers.some((r) => r.name === name))
    throw new NotFoundError(
      `router "${clip(name)}" not found in app "${a.name}": run tsuru app-router-list.`,
    );
}

/** Stores the app's routers inside one locking event of the given kind. */
async function saveRouters(
  ctx: Ctx,
  p: Principal,
  a: App,
  kind: string,
  data: { name: string; opts: Record<string, string> },
  routers: App["routers"],
): Promise<void> {
  await withEvent(
    ctx.store,
    p,
    { kind, target: { type: "app", value: a.name }, lock: true, data },
    ev(ctx),
    () => mapped(() => ctx.store.updateApp(a.name, { routers })),
  );
}

export async function addAppRouter(
  ctx: Ctx,
  p: Principal,
  app: string,
  name: string,
  opts: Record<string, string>,
): Promise<void> {
  const a = await visibleApp(ctx, p, app, "app.read");
  authorize(p, "app.update.router.add", appContexts(a));
  known(ctx, name);
  checkOpts(opts);
  if (a.routers.some((r) => r.name === name)) throw new ConflictError("router already linked to this app");
  // Any other router is of the same type as the app's: Wharf routes an app through one of them.
  if (a.routers.length)
    throw new BadRequestError(
      `App "${a.name}" is routed by "${a.routers[0]!.name}": a Wharf app has one router; create another app to route it elsewhere.`,
    );
  await saveRouters(ctx, p, a, "app.update.router.add", { name, opts }, [{ name, opts }]);
}

export async function updateAppRouter(
  ctx: Ctx,
  p: Principal,
  app: string,
  name: string,
  opts: Record<string, string>,
): Promise<void> {
  const a = await visibleApp(ctx, p, app, "app.read");
  authorize(p, "app.update.router.update", appContexts(a));
  checkOpts(opts);
  linked(a, name);
  const routers = a.routers.map((r) => (r.name === name ? { name, opts } : r));
  await saveRouters(ctx, p, a, "app.update.router.update", { name, opts }, routers);
}

export async function removeAppRouter(ctx: Ctx, p: Principal, app: string, name: string): Promise<void> {
  const a = await visibleApp(ctx, p, app, "app.read");
  authorize(p, "app.update.router.remove", appContexts(a));
  linked(a, name);
  throw new BadRequestError(
    `Router "${name}" is the only router of app "${a.name}" and keeps serving it: Wharf can't leave an app without its router. Remove the app to stop serving it.`,
  );
}

/**
 * tsuru's app-routes-rebuild. Wharf's routers take their table from the store, so there is
 * nothing to repair: the app's route is published again (routers reapply it) and each router
 * reports nothing added or removed.
 */
export async function rebuildRoutes(
  ctx: Ctx,
  p: Principal,
  app: string,
): Promise<Record<string, { Added: string[]; Removed: string[] }>> {
  const a = await visibleApp(ctx, p, app, "app.read");
  authorize(p, "app.admin.routes", appContexts(a));
  await withEvent(
    ctx.store,
    p,
    { kind: "app.admin.routes", target: { type: "app", value: a.name }, lock: true },
    ev(ctx),
    async () => {
      // The store publishes routes; a rebuild asks it to send this app's again.
      await ctx.store.tx((t) => t.republishRoute(a.name));
    },
  );
  return Object.fromEntries(a.routers.map((r) => [r.name, { Added: [], Removed: [] }]));
}
