// Reading apps: visibility (403 for an existing app the caller can't read, as tsuru does),
// app-list and app-info shapes, and the lock each app shows while an event runs on it.
import { unitView, type UnitView } from "../units.js";
import type { App, AppFilter, CapacityShortage, EventRecord, UnitRecord } from "../../store/types.js";
import { BadRequestError, ForbiddenError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import { appContexts, contextsFor } from "../permissions.js";
import { cachedRead, LOCKS_CACHE_MS, type Ctx } from "./context.js";
import { can, isGlobal, type Principal } from "./principal.js";
import { planView, type PlanView } from "./catalog.js";
import { ZERO_TIME } from "./tokens.js";
export interface LockView {
  Locked: boolean;
  Reason: string;
  Owner: string;
  AcquireDate: string;
}

export interface RouterView {
  name: string;
  opts: Record<string, string>;
  address: string;
  type: string;
}

export interface MiniApp {
  name: string;
  pool: string;
  teamowner: string;
  plan: PlanView;
  units: UnitView[];
  cname: string[];
  ip: string;
  routers: RouterView[];
  lock: LockView;
  tags: string[];
}

export async function visibleApp(ctx: Ctx, p: Principal, name: string, scheme: string): Promise<App> {
  const app = await cachedRead(ctx, `app:${name}`, () => ctx.store.findApp(name));
  if (!app) throw new NotFoundError(`App "${clip(name)}" not found.`);
  const cx = appContexts(app);
  if (!can(p, "app.read", cx) || !can(p, scheme, cx)) throw new ForbiddenError();
  return app;
}

export function routersOf(ctx: Ctx, app: App): RouterView[] {
  return app.routers.map((r) => {
    const conf = ctx.settings.routers.find((x) => x.name === r.name);
    return {
      name: r.name,
      opts: r.opts,
      address: conf ? `${app.name}.${conf.domain}` : "",
      type: conf?.type ?? "",
    };
  });
}

function lockView(running: EventRecord | undefined): LockView {
  if (!running) return { Locked: false, Reason: "", Owner: "", AcquireDate: ZERO_TIME };
  return {
    Locked: true,
    Reason: running.kind.name,
    Owner: running.owner.name,
    AcquireDate: running.startTime.toISOString(),
  };
}

/** Running events by app name, shared by concurrent reads for LOCKS_CACHE_MS. */
async function runningAppEvents(ctx: Ctx): Promise<Map<string, EventRecord>> {
  const now = Date.now();
  if (ctx.locksCache && ctx.locksCache.until > now) return ctx.locksCache.byApp;
  const running = await ctx.store.listEvents({ running: true, targetType: "app", limit: 1000 });
  const byApp = new Map(running.map((e) => [e.target.value, e]));
  ctx.locksCache = { until: now + LOCKS_CACHE_MS, byApp };
  return byApp;
}

async function planOf(ctx: Ctx, name: string): Promise<PlanView> {
  const plan = (await cachedRead(ctx, "plans", () => ctx.store.listPlans())).find((x) => x.name === name);
  return plan ? planView(plan) : { name, memory: 0, swap: 0, cpushare: 0 };
}

function mini(
  ctx: Ctx,
  app: App,
  plan: PlanView,
  lock: EventRecord | undefined,
  units: UnitRecord[],
): MiniApp {
  const routers = routersOf(ctx, app);
  return {
    name: app.name,
    pool: app.pool,
    teamowner: app.teamOwner,
    plan: { name: plan.name, memory: plan.memory, swap: plan.swap, cpushare: plan.cpushare },
    units: units.map((u) => unitView(u, app.platform)),
    cname: app.cnames,
    ip: routers[0]?.address ?? "",
    routers,
    lock: lockView(lock),
    tags: app.tags,
  };
}

export interface AppListFilter {
  name?: string;
  pool?: string;
  platform?: string;
  teamOwner?: string;
  owner?: string;
  tags?: string[];
  locked?: boolean;
  /** Only apps with at least one unit in this status (tsuru's app-list -s). */
  status?: string;
  /** Names only: units are left out ([]), as tsuru's app-list -q gets them. */
  simplified?: boolean;
}

/** Unit statuses tsuru's app-list -s filters on. */
const UNIT_STATUSES = ["created", "building", "error", "starting", "started", "stopped", "asleep"];

/**
 * app-list as a JSON body, cached like other hot reads. The key is everything the
 * answer depends on: the filter and the contexts in which the caller may read apps.
 */
export async function listAppsJson(ctx: Ctx, p: Principal, f: AppListFilter): Promise<string | null> {
  const scope = isGlobal(p, "app.read")
    ? "*"
    : contextsFor(p.permissions, "app.read")
        .map((c) => `${c.type}:${c.value}`)
        .sort()
        .join(",");
  return cachedRead(ctx, `appsjson:${scope}:${JSON.stringify(f)}`, async () => {
    const items = await listApps(ctx, p, f);
    return items.length ? JSON.stringify(items) : null;
  });
}

export async function listApps(ctx: Ctx, p: Principal, f: AppListFilter): Promise<MiniApp[]> {
  if (f.status && !UNIT_STATUSES.includes(f.status))
    throw new BadRequestError(
      `Invalid unit status "${clip(f.status)}": use one of ${UNIT_STATUSES.join(", ")}.`,
    );
  const base: AppFilter = {};
  if (f.name) base.nameContains = f.name;
  if (f.pool) base.pool = f.pool;
  if (f.platform) base.platform = f.platform;
  if (f.teamOwner) base.teamOwner = f.teamOwner;
  if (f.owner) base.owner = f.owner;
  if (f.tags && f.tags.length) base.tags = f.tags;
  let apps: App[];
  const list = (filter: AppFilter) =>
    cachedRead(ctx, `apps:${JSON.stringify(filter)}`, () => ctx.store.listApps(filter));
  if (isGlobal(p, "app.read")) apps = await list(base);
  else {
    // Visible = reachable through a team, the app itself or its pool.
    const cx = contextsFor(p.permissions, "app.read");
    const teams = cx.filter((c) => c.type === "team").map((c) => c.value);
    const names = new Set(cx.filter((c) => c.type === "app").map((c) => c.value));
    const pools = new Set(cx.filter((c) => c.type === "pool").map((c) => c.value));
    const byName = new Map<string, App>();
    if (teams.length)
      for (const a of await list({ ...base, accessibleByTeams: teams })) byName.set(a.name, a);
    if (names.size || pools.size)
      for (const a of await list(base)) if (names.has(a.name) || pools.has(a.pool)) byName.set(a.name, a);
    apps = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  if (apps.length === 0) return [];
  const locks = await runningAppEvents(ctx);
  if (f.locked) apps = apps.filter((a) => locks.has(a.name));
  const plans = new Map(
    (await cachedRead(ctx, "plans", () => ctx.store.listPlans())).map((x) => [x.name, planView(x)]),
  );
  const units = await unitsByApp(ctx, apps, !f.simplified || !!f.status);
  if (f.status)
    apps = apps.filter((a) => units.get(a.name)?.some((u) => unitView(u, a.platform).Status === f.status));
  return apps.map((a) =>
    mini(
      ctx,
      a,
      plans.get(a.plan) ?? { name: a.plan, memory: 0, swap: 0, cpushare: 0 },
      locks.get(a.name),
      f.simplified ? [] : (units.get(a.name) ?? []),
    ),
  );
}

/** The listed apps' units: one query for all of them, or none when nobody reads them. */
async function unitsByApp(ctx: Ctx, apps: App[], needed: boolean): Promise<Map<string, UnitRecord[]>> {
  const out = new Map<string, UnitRecord[]>();
  if (!needed) return out;
  const names = new Set(apps.map((a) => a.name));
  const all =
    apps.length === 1
      ? await cachedRead(ctx, `appunits:${apps[0]!.name}`, () => ctx.store.listUnits({ app: apps[0]!.name }))
      : await cachedRead(ctx, "appunits*", () => ctx.store.listUnits());
  for (const u of all) {
    if (!names.has(u.app)) continue;
    const list = out.get(u.app) ?? [];
    list.push(u);
    out.set(u.app, list);
  }
  return out;
}

/**
 * app-info as a JSON body: the caller's permission is checked on every call, the body (the
 * same for everyone who may read the app) is cached like the reads it is made of.
 */
export async function appInfoJson(ctx: Ctx, p: Principal, name: string, baseUrl = ""): Promise<string> {
  const app = await visibleApp(ctx, p, name, "app.read");
  const repository = repositoryUrl(ctx, app.name, baseUrl);
  return cachedRead(ctx, `appinfo:${app.name}:${repository}`, async () =>
    JSON.stringify(await infoOf(ctx, app, repository)),
  );
}

/**
 * The app's git remote (git push deploys, served at /apps/APP.git): on WHARF_PUBLIC_URL, else on
 * the address the request came in on; "" when neither is known.
 */
export function repositoryUrl(ctx: Ctx, app: string, baseUrl: string): string {
  const base = ctx.settings.publicUrl || baseUrl;
  return base ? `${base.replace(/\/+$/, "")}/apps/${app}.git` : "";
}

async function infoOf(ctx: Ctx, app: App, repository: string): Promise<Record<string, unknown>> {
  const [plan, locks] = await Promise.all([planOf(ctx, app.plan), runningAppEvents(ctx)]);
  const routers = routersOf(ctx, app);
  const first = routers[0];
  return {
    name: app.name,
    platform: app.platformVersion ? `${app.platform}:${app.platformVersion}` : app.platform,
    teams: app.teams,
    // Cached like the app itself ("app…" keys are dropped by every app mutation here); unit
    // changes made in the background show up within READ_CACHE_MS.
    units: (await cachedRead(ctx, `appunits:${app.name}`, () => ctx.store.listUnits({ app: app.name }))).map(
      (u) => unitView(u, app.platform),
    ),
    repository,
    ...(first ? { ip: first.address, router: first.name, routeropts: first.opts } : {}),
    cname: app.cnames,
    owner: app.owner,
    pool: app.pool,
    description: app.description,
    deploys: app.deploys,
    teamowner: app.teamOwner,
    plan: { ...plan, ...(first ? { router: first.name } : {}) },
    lock: lockView(locks.get(app.name)),
    tags: app.tags,
    routers,
    // Wharf: units lost with a node that no healthy node of the pool can take yet.
    capacity: capacityView(
      (await cachedRead(ctx, `appruntime:${app.name}`, () => ctx.store.getAppRuntime(app.name))).capacity,
    ),
  };
}

export interface CapacityView {
  missing: number;
  reason: string;
  since: string;
}

function capacityView(c: CapacityShortage | null): CapacityView | null {
  return c ? { missing: c.missing, reason: c.reason, since: c.since.toISOString() } : null;
}
