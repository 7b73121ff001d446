// Service instances (tsuru's service-instance-add/update/remove/info/status). The record is
// written before the provider is asked and removed again if the provider fails, so a failed
// create leaves nothing behind; an OSB async provision stays "provisioning" until a
// last_operation poll (status, info, bind) sees it finish.
import { randomUUID } from "node:crypto";
import { BadRequestError, ForbiddenError, NotFoundError, ConflictError } from "../errors.js";
import { clip } from "../names.js";
import type { Ctx } from "./context.js";
import { withEvent, type EventHandle } from "./events.js";
import { authorize, can, memberTeams, type Principal } from "./principal.js";
import {
  instanceContexts,
  instanceRef,
  serviceTeams,
  validateInstanceName,
  visibleInstance,
  visibleService,
  type ResolvedService,
} from "./service-resolve.js";
import { mapped } from "./store-errors.js";
import { NotFoundError as StoreNotFoundError } from "../../store/errors.js";
import { unbindOne } from "./service-binds.js";
import { refreshInstance } from "./service-refresh.js";

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });
const meta = (p: Principal, h: EventHandle) => ({ user: p.email, eventId: h.id });

export interface InstanceInput {
  name: string;
  plan: string;
  teamOwner: string;
  description: string;
  tags: string[];
  parameters: Record<string, string>;
}

function checkFields(f: { description: string; tags: string[]; parameters: Record<string, string> }): void {
  if (f.description.length > 1024)
    throw new BadRequestError("The description is too long: at most 1024 characters.");
  if (f.tags.length > 50 || f.tags.some((t) => t.length > 128))
    throw new BadRequestError("Too many or too long tags: at most 50 tags of 128 characters.");
  const keys = Object.keys(f.parameters);
  if (keys.length > 100 || keys.some((k) => k.length > 128 || (f.parameters[k] ?? "").length > 4096))
    throw new BadRequestError(
      "Too many or too large parameters: at most 100, names of 128 and values of 4096 characters.",
    );
}

async function checkPlan(svc: ResolvedService, plan: string): Promise<string> {
  const plans = await svc.client.plans();
  if (plan === "") return svc.kind === "tsuru" ? "" : (plans[0]?.name ?? "");
  if (plans.length > 0 && !plans.some((x) => x.name === plan))
    throw new BadRequestError(
      `Plan "${clip(plan)}" not found for service "${svc.name}": run "wharf service info ${svc.name}" to see its plans.`,
    );
  return plan;
}

export async function createInstance(
  ctx: Ctx,
  p: Principal,
  service: string,
  f: InstanceInput,
): Promise<void> {
  validateInstanceName(f.name);
  checkFields(f);
  const svc = await visibleService(ctx, p, service);
  let team = f.teamOwner;
  if (!team) {
    const mine = memberTeams(p);
    if (mine.length !== 1)
      throw new BadRequestError("You must provide a team to own the instance: use -t <team>.");
    team = mine[0]!;
  }
  authorize(p, "service-instance.create", [{ type: "team", value: team }]);
  const allowed = serviceTeams(svc);
  if (allowed && !allowed.includes(team))
    throw new ForbiddenError(
      `Service "${svc.name}" is not available to team "${clip(team)}": ask its owner for access.`,
    );
  if (await ctx.store.findServiceInstance(svc.name, f.name))
    throw new ConflictError(`Service instance "${f.name}" already exists.`);
  const plan = await checkPlan(svc, f.plan);
  const target = { type: "service-instance", value: `${svc.name}/${f.name}` };
  // Parameter values may be secrets: the event keeps only their names.
  const data = {
    service: svc.name,
    name: f.name,
    plan,
    team,
    tags: f.tags,
    parameters: Object.keys(f.parameters),
  };
  await withEvent(
    ctx.store,
    p,
    { kind: "service-instance.create", target, lock: true, data },
    ev(ctx),
    async (h) => {
      const rec = await mapped(() =>
        ctx.store.createServiceInstance({
          service: svc.name,
          name: f.name,
          uuid: randomUUID(),
          plan,
          teamOwner: team,
          teams: [team],
          description: f.description,
          tags: f.tags,
          parameters: f.parameters,
          state: "provisioning",
          operation: "",
          message: "",
        }),
      ).catch((e: unknown) => {
        throw e instanceof ConflictError
          ? new ConflictError(`Service instance "${f.name}" already exists.`)
          : e;
      });
      let res;
      try {
        res = await svc.client.create(instanceRef(rec), meta(p, h));
      } catch (e) {
        await ctx.store.deleteServiceInstance(svc.name, f.name).catch(() => undefined);
        throw e;
      }
      if (res.async) {
        await h.log(`provisioning started at the provider (operation "${clip(res.operation)}")`);
        await ctx.store.updateServiceInstance(svc.name, f.name, { operation: res.operation });
      } else await ctx.store.updateServiceInstance(svc.name, f.name, { state: "ready" });
    },
  );
}

export async function instanceStatus(ctx: Ctx, p: Principal, service: string, name: string): Promise<string> {
  const { svc, inst } = await visibleInstance(ctx, p, service, name, "service-instance.read.status");
  const now = await refreshInstance(ctx, svc, inst);
  let status: string;
  if (!now) status = "removed";
  else if (svc.kind !== "osb") status = await svc.client.status(instanceRef(now));
  else if (now.state === "provisioning")
    status = now.message ? `in progress - ${now.message}` : "in progress";
  else if (now.state === "failed") status = now.message ? `failed - ${now.message}` : "failed";
  else if (now.state === "removing") status = "removing";
  else status = "succeeded";
  return `Service instance "${name}" is ${status}`;
}

export interface InstanceInfoView {
  Apps: string[];
  Teams: string[];
  TeamOwner: string;
  Description: string;
  PlanName: string;
  PlanDescription: string;
  CustomInfo: Record<string, string>;
  Tags: string[];
  Parameters: Record<string, string>;
  /** Wharf extension: provisioning | ready | failed | removing. */
  State: string;
}

export async function instanceInfo(
  ctx: Ctx,
  p: Principal,
  service: string,
  name: string,
): Promise<InstanceInfoView> {
  const found = await visibleInstance(ctx, p, service, name, "service-instance.read");
  const svc = found.svc;
  // Built-in instances catch up with their provision here (cheap: it reads the store).
  const inst =
    svc.kind === "builtin" ? ((await refreshInstance(ctx, svc, found.inst)) ?? found.inst) : found.inst;
  const bindings = await ctx.store.listServiceBindings({ service: svc.name, instance: name });
  // Info is decoration: a provider that is down must not hide the instance itself.
  const custom = await svc.client.info(instanceRef(inst)).catch(() => ({}));
  const plans = await svc.client.plans().catch(() => []);
  return {
    Apps: bindings.map((b) => b.app),
    Teams: inst.teams,
    TeamOwner: inst.teamOwner,
    Description: inst.description,
    PlanName: inst.plan,
    PlanDescription: plans.find((x) => x.name === inst.plan)?.description ?? "",
    CustomInfo: custom,
    Tags: inst.tags,
    Parameters: inst.parameters,
    State: inst.state,
  };
}

export interface InstanceUpdate {
  description: string | null;
  plan: string | null;
  teamOwner: string | null;
  tags: string[] | null;
}

export async function updateInstance(
  ctx: Ctx,
  p: Principal,
  service: string,
  name: string,
  f: InstanceUpdate,
): Promise<void> {
  const { svc, inst } = await visibleInstance(ctx, p, service, name, "service-instance.read");
  const cx = instanceContexts(inst);
  const need = (changed: boolean, scheme: string) => {
    if (changed && !can(p, scheme, cx)) throw new ForbiddenError();
  };
  need(f.description !== null, "service-instance.update.description");
  need(f.tags !== null, "service-instance.update.tags");
  need(f.teamOwner !== null, "service-instance.update.teamowner");
  need(f.plan !== null, "service-instance.update.plan");
  const next = {
    description: f.description ?? inst.description,
    tags: f.tags ?? inst.tags,
    teamOwner: f.teamOwner ?? inst.teamOwner,
    plan: f.plan ?? inst.plan,
  };
  checkFields({ ...next, parameters: inst.parameters });
  if (next.teamOwner !== inst.teamOwner && !(await ctx.store.findTeam(next.teamOwner)))
    throw new NotFoundError(`Team "${clip(next.teamOwner)}" not found.`);
  if (next.plan !== inst.plan) await checkPlan(svc, next.plan);
  const target = { type: "service-instance", value: `${svc.name}/${name}` };
  await withEvent(
    ctx.store,
    p,
    { kind: "service-instance.update", target, lock: true, data: next },
    ev(ctx),
    async (h) => {
      const teams = inst.teams.includes(next.teamOwner) ? inst.teams : [...inst.teams, next.teamOwner];
      // The provider first: if it refuses, nothing changes here.
      await svc.client.update({ ...instanceRef(inst), ...next }, inst.plan, meta(p, h));
      await ctx.store.updateServiceInstance(svc.name, name, { ...next, teams });
    },
  );
}

export interface RemoveInstanceOptions {
  /** Unbind every bound app first (tsuru's unbindall). */
  unbindAll: boolean;
  /** Delete the instance's data too (built-in services keep their volume otherwise). */
  purge: boolean;
  /** Remove the instance here even when its provider fails (tsuru's ignoreerrors). */
  ignoreErrors: boolean;
}

export async function removeInstance(
  ctx: Ctx,
  p: Principal,
  service: string,
  name: string,
  o: RemoveInstanceOptions,
  out: (line: string) => void,
): Promise<void> {
  const unbindAll = o.unbindAll;
  const { svc, inst } = await visibleInstance(ctx, p, service, name, "service-instance.delete");
  const bindings = await ctx.store.listServiceBindings({ service: svc.name, instance: name });
  if (bindings.length > 0 && !unbindAll)
    throw new BadRequestError(
      "This service instance is bound to at least one app. Unbind them before removing it (or use --force to unbind them all).",
    );
  for (const b of bindings)
    await unbindOne(ctx, p, svc.name, name, b.app, { noRestart: false, force: o.ignoreErrors }, out);
  const target = { type: "service-instance", value: `${svc.name}/${name}` };
  await withEvent(
    ctx.store,
    p,
    {
      kind: "service-instance.delete",
      target,
      lock: true,
      data: { purge: o.purge, ignoreErrors: o.ignoreErrors },
    },
    ev(ctx),
    async (h) => {
      let res;
      try {
        res = await svc.client.remove(instanceRef(inst), meta(p, h), { purge: o.purge });
      } catch (e) {
        // The provider no longer knows it: the local record is all that is left.
        if (e instanceof NotFoundError)
          out(`The service API does not know instance "${name}" any more; removing it here.\n`);
        else if (o.ignoreErrors) {
          const why = `Ignoring the provider's error because of --ignore-errors: ${(e as Error).message}\n`;
          out(why);
          await h.log(why);
        } else throw e;
        res = { async: false, operation: "" };
      }
      if (res.async) {
        await ctx.store.updateServiceInstance(svc.name, name, {
          state: "removing",
          operation: res.operation,
        });
        out(
          `Removal of service instance "${name}" started; run "wharf service instance status" to follow it.\n`,
        );
        return;
      }
      // A reconciler finishing an interrupted removal may have deleted it already.
      await ctx.store.deleteServiceInstance(svc.name, name).catch((e: unknown) => {
        if (!(e instanceof StoreNotFoundError)) throw e;
      });
      if (svc.kind === "builtin")
        out(
          o.purge
            ? `Service instance "${name}" and its data removed.\n`
            : `Service instance "${name}" removed; its data volume is kept on its node (remove with --purge to delete the data).\n`,
        );
      else out(`Service instance "${name}" removed.\n`);
    },
  );
}
