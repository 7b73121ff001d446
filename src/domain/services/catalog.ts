// Plans, platforms and routers: what apps are built from. Everyone signed in may read
// them; changing them needs plan.* / platform.* permissions (admins by default).
import type { Plan, Platform } from "../../store/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
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

/**
 * Register a platform. Building its image belongs to the build subsystem (a later
 * issue); until then the Dockerfile is accepted and recorded as pending.
 */
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
      await mapped(() => ctx.store.createPlatform({ name: f.name }));
      const msg = `Platform "${f.name}" registered; its image will be built by the build service.\n`;
      log(msg);
      await h.log(msg);
    },
  );
}

export async function updatePlatform(
  ctx: Ctx,
  p: Principal,
  name: string,
  f: { disabled: boolean | null },
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
    async () => {
      if (f.disabled !== null) await mapped(() => ctx.store.updatePlatform(name, { disabled: f.disabled! }));
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
    info: { Domain: r.domain },
    default: r.default,
  }));
}
