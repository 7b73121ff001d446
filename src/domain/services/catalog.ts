// Plans, platforms and routers: what apps are built from. Everyone signed in may read
// them; changing them needs plan.* / platform.* permissions (admins by default).
import type { Plan, Platform } from "../../store/types.js";
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import { validatePlanName, validatePlatformName } from "../names.js";
import { parseCpuShare, parseMemory } from "../plans.js";
import type { Ctx } from "./context.js";
import { authorize, can, type Principal } from "./principal.js";
import { mapped } from "./store-errors.js";
import { withEvent, type EventHandle } from "./events.js";

export interface PlanView {
  name: string;
  memory: number;
  swap: number;
  cpushare: number;
  default?: boolean;
}

export function planView(p: Plan): PlanView {
  return {
    name: p.name,
    memory: p.memory,
    swap: p.swap,
    cpushare: p.cpuShare,
    ...(p.isDefault ? { default: true } : {}),
  };
}

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

export async function listPlans(ctx: Ctx): Promise<PlanView[]> {
  return (await ctx.store.listPlans()).map(planView);
}

export async function createPlan(
  ctx: Ctx,
  p: Principal,
  f: { name: string; memory: string; swap: string; cpushare: string; default: boolean },
): Promise<void> {
  authorize(p, "plan.create");
  if (!f.name) throw new BadRequestError("You must provide the plan name.");
  validatePlanName(f.name);
  const plan: Plan = {
    name: f.name,
    memory: parseMemory(f.memory, "memory"),
    swap: parseMemory(f.swap, "swap"),
    cpuShare: parseCpuShare(f.cpushare),
    cpuMilli: 0,
    isDefault: f.default,
  };
  if (plan.memory > 0 && plan.memory < 4 * 1024 * 1024)
    throw new BadRequestError("Invalid memory: a plan needs at least 4MB (use e.g. 128M).");
  await withEvent(
    ctx.store,
    p,
    { kind: "plan.create", target: { type: "plan", value: f.name } },
    ev(ctx),
    async () => {
      if (plan.isDefault) {
        const cur = await ctx.store.findDefaultPlan();
        if (cur) {
          // Only one default plan: the new one takes over.
          await ctx.store.deletePlan(cur.name);
          await ctx.store.createPlan({ ...cur, isDefault: false });
        }
      }
      await mapped(() => ctx.store.createPlan(plan));
    },
  );
}

export async function removePlan(ctx: Ctx, p: Principal, name: string): Promise<void> {
  authorize(p, "plan.delete");
  if (!(await ctx.store.findPlan(name))) throw new NotFoundError(`Plan "${name}" not found.`);
  await withEvent(ctx.store, p, { kind: "plan.delete", target: { type: "plan", value: name } }, ev(ctx), () =>
    mapped(() => ctx.store.deletePlan(name)),
  );
}

export interface PlatformView {
  Name: string;
  Disabled: boolean;
}

export async function listPlatforms(ctx: Ctx, p: Principal): Promise<PlatformView[]> {
  // Disabled platforms are shown only to those who can change platforms (tsuru does the same).
  const all = await ctx.store.listPlatforms({ enabledOnly: !can(p, "platform.update") });
  return all.map((x) => ({ Name: x.name, Disabled: x.disabled }));
}

export async function platformInfo(
  ctx: Ctx,
  p: Principal,
  name: string,
): Promise<{ platform: PlatformView; images: string[] }> {
  const x = await ctx.store.findPlatform(name);
  if (!x || (x.disabled && !can(p, "platform.update")))
    throw new NotFoundError(`Platform "${name}" not found: run "tsuru platform-list" to see the platforms.`);
  return { platform: { Name: x.name, Disabled: x.disabled }, images: x.images };
}

/** Builds the platform image on a node when the server has a cluster; "" without one. */
async function buildPlatform(
  ctx: Ctx,
  name: string,
  dockerfile: string,
  log: (line: string) => void,
  h: EventHandle,
): Promise<string> {
  if (!ctx.runtime) {
    const msg = `No cluster is configured: platform "${name}" is recorded without an image.\n`;
    log(msg);
    await h.log(msg);
    return "";
  }
  if (!dockerfile.trim())
    throw new BadRequestError("The platform's Dockerfile (dockerfile_content) is empty: send its content.");
  const image = await ctx.runtime.buildPlatform(name, dockerfile, log);
  const msg = `Platform image ${image} is ready: apps' next deploys build on it.\n`;
  log(msg);
  await h.log(msg);
  return image;
}

/** Register a platform and build its image. */
export async function addPlatform(
  ctx: Ctx,
  p: Principal,
  f: { name: string; dockerfile: string },
  log: (line: string) => void,
): Promise<void> {
  authorize(p, "platform.create");
  if (!f.name) throw new BadRequestError("You must provide the platform name.");
  validatePlatformName(f.name);
  await withEvent(
    ctx.store,
    p,
    { kind: "platform.create", target: { type: "platform", value: f.name } },
    ev(ctx),
    async (h: EventHandle) => {
      if (await ctx.store.findPlatform(f.name))
        throw new ConflictError(`Platform "${f.name}" already exists: use platform update to rebuild it.`);
      // Build first: a failed build leaves no platform behind.
      const image = await buildPlatform(ctx, f.name, f.dockerfile, log, h);
      await mapped(() => ctx.store.createPlatform({ name: f.name, ...(image ? { image } : {}) }));
      if (image) await h.log(`Platform "${f.name}" added.`);
      log(`Platform "${f.name}" added.\n`);
    },
  );
}

export async function updatePlatform(
  ctx: Ctx,
  p: Principal,
  name: string,
  f: { disabled: boolean | null; dockerfile?: string },
  log: (line: string) => void,
): Promise<void> {
  authorize(p, "platform.update");
  const x: Platform | null = await ctx.store.findPlatform(name);
  if (!x) throw new NotFoundError(`Platform "${name}" not found.`);
  await withEvent(
    ctx.store,
    p,
    { kind: "platform.update", target: { type: "platform", value: name } },
    ev(ctx),
    async (h: EventHandle) => {
      const image = f.dockerfile ? await buildPlatform(ctx, name, f.dockerfile, log, h) : "";
      if (f.disabled !== null || image)
        await mapped(() =>
          ctx.store.updatePlatform(name, {
            ...(f.disabled !== null ? { disabled: f.disabled } : {}),
            ...(image ? { image } : {}),
          }),
        );
      log(`Platform "${name}" updated.\n`);
    },
  );
}

export async function removePlatform(ctx: Ctx, p: Principal, name: string): Promise<void> {
  authorize(p, "platform.delete");
  if (!(await ctx.store.findPlatform(name))) throw new NotFoundError(`Platform "${name}" not found.`);
  const apps = await ctx.store.listApps({ platform: name });
  if (apps.length > 0)
    throw new BadRequestError(
      `Platform "${name}" is used by ${apps.length} app(s): move or remove them first.`,
    );
  await withEvent(
    ctx.store,
    p,
    { kind: "platform.delete", target: { type: "platform", value: name } },
    ev(ctx),
    () => mapped(() => ctx.store.deletePlatform(name)),
  );
}

export function listRouters(
  ctx: Ctx,
): { name: string; type: string; info: Record<string, string>; default: boolean }[] {
  return ctx.settings.routers.map((r) => ({
    name: r.name,
    type: r.type,
    info: {
      Domain: r.domain,
      ...(r.httpPort ? { "HTTP port": String(r.httpPort) } : {}),
      ...(r.httpsPort ? { "HTTPS port": String(r.httpsPort) } : {}),
    },
    default: r.default,
  }));
}

/** The embedded router listens: its ports become part of the default router's info. */
export function publishRouterPorts(
  ctx: Ctx,
  ports: { http?: { port: number }; https?: { port: number } },
): void {
  const r = ctx.settings.routers.find((x) => x.default) ?? ctx.settings.routers[0];
  if (!r) return;
  if (ports.http) r.httpPort = ports.http.port;
  if (ports.https) r.httpsPort = ports.https.port;
}
