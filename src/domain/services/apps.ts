// Apps: create/list/info/update/remove. Outsiders get 403 for an existing app they
// can't read (tsuru's behaviour) and never see it in lists.
import type { App, AppFilter, EventRecord } from "../../store/types.js";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import { validateAppName, clip } from "../names.js";
import { appContexts, contextsFor, teamContext } from "../permissions.js";
import { choosePool, checkPlanAllowed } from "../pools.js";
import { choosePlan } from "../plans.js";
import { cachedRead, LOCKS_CACHE_MS, type Ctx } from "./context.js";
import { authorize, can, isGlobal, type Principal } from "./principal.js";
import { mapped } from "./store-errors.js";
import { withEvent, withEventTx } from "./events.js";
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
  units: unknown[];
  cname: string[];
  ip: string;
  routers: RouterView[];
  lock: LockView;
  tags: string[];
}

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

export async function visibleApp(ctx: Ctx, p: Principal, name: string, scheme: string): Promise<App> {
  const app = await cachedRead(ctx, `app:${name}`, () => ctx.store.findApp(name));
  if (!app) throw new NotFoundError(`App "${clip(name)}" not found.`);
  const cx = appContexts(app);
  if (!can(p, "app.read", cx) || !can(p, scheme, cx)) throw new ForbiddenError();
  return app;
}

function routersOf(ctx: Ctx, app: App): RouterView[] {
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

function mini(ctx: Ctx, app: App, plan: PlanView, lock: EventRecord | undefined): MiniApp {
  const routers = routersOf(ctx, app);
  return {
    name: app.name,
    pool: app.pool,
    teamowner: app.teamOwner,
    plan: { name: plan.name, memory: plan.memory, swap: plan.swap, cpushare: plan.cpushare },
    units: [],
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
}

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

export async function listApps(
  ctx: Ctx,
  p: Principal,
  f: AppListFilter,
  _simplified = false,
): Promise<MiniApp[]> {
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
  return apps.map((a) =>
    mini(ctx, a, plans.get(a.plan) ?? { name: a.plan, memory: 0, swap: 0, cpushare: 0 }, locks.get(a.name)),
  );
}

export async function appInfo(ctx: Ctx, p: Principal, name: string): Promise<Record<string, unknown>> {
  const app = await visibleApp(ctx, p, name, "app.read");
  const [plan, locks] = await Promise.all([planOf(ctx, app.plan), runningAppEvents(ctx)]);
  const routers = routersOf(ctx, app);
  const first = routers[0];
  return {
    name: app.name,
    platform: app.platformVersion ? `${app.platform}:${app.platformVersion}` : app.platform,
    teams: app.teams,
    units: [],
    repository: "",
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
  };
}

export interface CreateAppInput {
  name: string;
  platform: string;
  plan: string;
  pool: string;
  teamOwner: string;
  description: string;
  tags: string[];
  router: string;
  routerOpts: Record<string, string>;
}

async function resolveTeamOwner(ctx: Ctx, p: Principal, requested: string): Promise<string> {
  if (requested) {
    if (!can(p, "app.create", teamContext(requested)))
      throw new ForbiddenError(
        `You don't have permission to create apps for team "${clip(requested)}": pass one of your teams (tsuru team-list).`,
      );
    if (!(await cachedRead(ctx, `cat:team:${requested}`, () => ctx.store.findTeam(requested))))
      throw new NotFoundError(`Team "${clip(requested)}" not found.`);
    return requested;
  }
  const cx = contextsFor(p.permissions, "app.create");
  let teams = cx.filter((c) => c.type === "team").map((c) => c.value);
  if (cx.some((c) => c.type === "global")) teams = (await ctx.store.listTeams()).map((t) => t.name);
  teams = [...new Set(teams)];
  if (teams.length === 0)
    throw new BadRequestError("In order to create an app, you should be member of at least one team");
  if (teams.length > 1)
    throw new BadRequestError(
      "You must provide a team to execute this action (-t TEAM): you are a member of several.",
    );
  return teams[0]!;
}

async function resolvePlatform(
  ctx: Ctx,
  p: Principal,
  spec: string,
): Promise<{ name: string; version: string }> {
  if (!spec) return { name: "", version: "" };
  const [name = "", version = ""] = spec.split(":", 2);
  if (version && !/^v?\d+$/.test(version))
    throw new BadRequestError(`Invalid platform version "${clip(version)}": use a version such as v2.`);
  const plat = await cachedRead(ctx, `cat:platform:${name}`, () => ctx.store.findPlatform(name));
  if (!plat || (plat.disabled && !can(p, "platform.update")))
    throw new BadRequestError(
      `Invalid platform "${clip(name)}": run "tsuru platform-list" to see the platforms.`,
    );
  return { name, version: version ? (version.startsWith("v") ? version : `v${version}`) : "" };
}

function resolveRouter(
  ctx: Ctx,
  name: string,
  opts: Record<string, string>,
): { name: string; opts: Record<string, string> }[] {
  if (!name) {
    const d = ctx.settings.routers.find((r) => r.default) ?? ctx.settings.routers[0];
    return d ? [{ name: d.name, opts }] : [];
  }
  if (!ctx.settings.routers.some((r) => r.name === name))
    throw new BadRequestError(
      `Router "${clip(name)}" not found: run "tsuru router-list" to see the routers.`,
    );
  return [{ name, opts }];
}

export async function createApp(ctx: Ctx, p: Principal, f: CreateAppInput): Promise<Record<string, string>> {
  if (!f.name) throw new BadRequestError("You must provide the app name.");
  validateAppName(f.name);
  const teamOwner = await resolveTeamOwner(ctx, p, f.teamOwner);
  const platform = await resolvePlatform(ctx, p, f.platform);
  const [pools, constraints, plans] = await Promise.all([
    cachedRead(ctx, "cat:pools", () => ctx.store.listPools()),
    cachedRead(ctx, "cat:constraints", () => ctx.store.listPoolConstraints()),
    cachedRead(ctx, "plans", () => ctx.store.listPlans()),
  ]);
  const pool = choosePool(
    f.pool,
    teamOwner,
    pools.map((x) => ({ name: x.name, default: x.isDefault, provisioner: x.provisioner })),
    constraints,
  );
  const plan = choosePlan(
    f.plan,
    plans.map((x) => ({
      name: x.name,
      memory: x.memory,
      swap: x.swap,
      cpushare: x.cpuShare,
      default: x.isDefault,
    })),
  );
  checkPlanAllowed(pool.name, plan.name, constraints);
  if (!plans.some((x) => x.name === plan.name)) {
    // No plans configured: like tsuru, create the unlimited "autogenerated" default once.
    await ctx.store
      .createPlan({
        name: plan.name,
        memory: 0,
        swap: 0,
        cpuShare: plan.cpushare,
        cpuMilli: 0,
        isDefault: true,
      })
      .catch(() => undefined);
  }
  const routers = resolveRouter(ctx, f.router, f.routerOpts);
  if (await ctx.store.findApp(f.name)) throw new ConflictError(`App "${f.name}" already exists.`);
  await withEventTx(
    ctx.store,
    p,
    {
      kind: "app.create",
      target: { type: "app", value: f.name },
      lock: true,
      data: { pool: pool.name, plan: plan.name, teamOwner },
    },
    ev(ctx),
    async (t) => {
      // Quotas, the app row and its event commit together: a crash never leaves a counted ghost.
      if (p.kind === "user") await t.reserveQuota("user", p.email, 1);
      await t.reserveQuota("team", teamOwner, 1);
      return t.createApp({
        name: f.name,
        platform: platform.name,
        platformVersion: platform.version,
        plan: plan.name,
        pool: pool.name,
        teamOwner,
        owner: p.email,
        description: f.description,
        tags: [...new Set(f.tags.filter((x) => x !== ""))],
        routers,
      });
    },
  );
  const conf = ctx.settings.routers.find((r) => r.name === routers[0]?.name);
  return { status: "success", repository_url: "", ip: conf ? `${f.name}.${conf.domain}` : "" };
}

export interface UpdateAppInput {
  description: string | null;
  plan: string;
  pool: string;
  teamOwner: string;
  platform: string;
  tags: string[] | null;
  imageReset: boolean;
}

export async function updateApp(
  ctx: Ctx,
  p: Principal,
  name: string,
  f: UpdateAppInput,
  out: (line: string) => void,
): Promise<void> {
  const app = await visibleApp(ctx, p, name, "app.read");
  const cx = appContexts(app);
  const patch: Parameters<typeof ctx.store.updateApp>[1] = {};
  if (f.description !== null && f.description !== app.description) {
    authorize(p, "app.update.description", cx);
    patch.description = f.description;
  }
  if (f.tags !== null) {
    authorize(p, "app.update.tags", cx);
    patch.tags = [...new Set(f.tags.filter((x) => x !== ""))];
  }
  const constraints = await ctx.store.listPoolConstraints();
  if (f.plan && f.plan !== app.plan) {
    authorize(p, "app.update.plan", cx);
    if (!(await ctx.store.findPlan(f.plan)))
      throw new BadRequestError(`Plan "${clip(f.plan)}" does not exist.`);
    patch.plan = f.plan;
  }
  if (f.teamOwner && f.teamOwner !== app.teamOwner) {
    authorize(p, "app.update.teamowner", cx);
    if (!(await ctx.store.findTeam(f.teamOwner)) || !can(p, "app.create", teamContext(f.teamOwner)))
      throw new NotFoundError(`Team "${clip(f.teamOwner)}" not found.`);
    patch.teamOwner = f.teamOwner;
  }
  if (f.pool && f.pool !== app.pool) {
    authorize(p, "app.update.pool", cx);
    const pools = (await ctx.store.listPools()).map((x) => ({
      name: x.name,
      default: x.isDefault,
      provisioner: x.provisioner,
    }));
    choosePool(f.pool, patch.teamOwner ?? app.teamOwner, pools, constraints);
    patch.pool = f.pool;
  }
  if (f.platform) {
    authorize(p, "app.update.platform", cx);
    const plat = await resolvePlatform(ctx, p, f.platform);
    patch.platform = plat.name;
    patch.platformVersion = plat.version;
  }
  checkPlanAllowed(patch.pool ?? app.pool, patch.plan ?? app.plan, constraints);
  if (f.imageReset) authorize(p, "app.update.image-reset", cx);
  const kind =
    Object.keys(patch).length === 1 && patch.description !== undefined
      ? "app.update.description"
      : "app.update";
  await withEvent(
    ctx.store,
    p,
    { kind, target: { type: "app", value: name }, lock: true, data: patch },
    ev(ctx),
    async (h) => {
      if (Object.keys(patch).length) await mapped(() => ctx.store.updateApp(name, patch));
      if (patch.teamOwner) {
        await ctx.store.grantAppTeam(name, patch.teamOwner).catch(() => undefined);
        await ctx.store.tx(async (t) => {
          await t.releaseQuota("team", app.teamOwner, 1);
          await t.reserveQuota("team", patch.teamOwner!, 1);
        });
      }
      const msg = `---- Updating app "${name}" ----\n`;
      out(msg);
      await h.log(msg);
    },
  );
}

export async function removeApp(
  ctx: Ctx,
  p: Principal,
  name: string,
  out: (line: string) => void,
): Promise<void> {
  const app = await visibleApp(ctx, p, name, "app.delete");
  await withEvent(
    ctx.store,
    p,
    { kind: "app.delete", target: { type: "app", value: name }, lock: true },
    ev(ctx),
    async (h) => {
      const msg = `---- Removing application "${name}"...\n`;
      out(msg);
      await h.log(msg);
      await mapped(() =>
        ctx.store.tx(async (t) => {
          await t.deleteApp(name);
          await t.releaseQuota("team", app.teamOwner, 1);
          if (await t.findUser(app.owner)) await t.releaseQuota("user", app.owner, 1);
        }),
      );
      out("---- Done removing application.\n");
    },
  );
}
