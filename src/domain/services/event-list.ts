// Reading events: admins see all; others see events on apps they can read, on their
// teams, and the ones they started themselves.
import type { EventFilter, EventRecord, EventTarget } from "../../store/types.js";
import { BadRequestError, ForbiddenError, NotFoundError } from "../errors.js";
import { isObjectId } from "../secrets.js";
import { appContexts } from "../permissions.js";
import type { Ctx } from "./context.js";
import { can, isGlobal, memberTeams, type Principal } from "./principal.js";
import { listApps } from "./apps.js";
import { ZERO_TIME } from "./tokens.js";

const empty = { Kind: 0, Data: null };

export function eventView(e: EventRecord): Record<string, unknown> {
  return {
    ID: { Target: { Type: "", Value: "" }, ObjId: e.id },
    UniqueID: e.id,
    StartTime: e.startTime.toISOString(),
    EndTime: e.endTime ? e.endTime.toISOString() : ZERO_TIME,
    Target: { Type: e.target.type, Value: e.target.value },
    ExtraTargets: e.extraTargets.map((x) => ({
      Target: { Type: x.target.type, Value: x.target.value },
      Lock: x.lock,
    })),
    StartCustomData: empty,
    EndCustomData: empty,
    OtherCustomData: empty,
    Kind: { Type: e.kind.type, Name: e.kind.name },
    Owner: { Type: e.owner.type, Name: e.owner.name },
    LockUpdateTime: e.lockUpdateTime.toISOString(),
    Error: e.error,
    Log: e.log,
    RemoveDate: ZERO_TIME,
    CancelInfo: {
      Owner: e.cancelInfo.owner,
      StartTime: e.cancelInfo.startTime ? e.cancelInfo.startTime.toISOString() : ZERO_TIME,
      AckTime: e.cancelInfo.ackTime ? e.cancelInfo.ackTime.toISOString() : ZERO_TIME,
      Reason: e.cancelInfo.reason,
      Asked: e.cancelInfo.asked,
      Canceled: e.cancelInfo.canceled,
    },
    Cancelable: e.cancelable,
    Running: e.running,
    Allowed: { Scheme: `${e.target.type}.read.events`, Contexts: [] },
    AllowedCancel: { Scheme: `${e.target.type}.update.events`, Contexts: [] },
  };
}

async function allowedTargets(ctx: Ctx, p: Principal): Promise<EventFilter["allowed"]> {
  if (isGlobal(p, "app.read.events") && isGlobal(p, "team.read.events")) return undefined;
  const apps = await listApps(ctx, p, {});
  const targets: EventTarget[] = apps.map((a) => ({ type: "app", value: a.name }));
  for (const t of memberTeams(p)) targets.push({ type: "team", value: t });
  return { targets, ownerNames: p.kind === "user" ? [p.email] : [p.tokenId] };
}

export interface EventQuery {
  kindNames: string[];
  targetType: string;
  targetValue: string;
  ownerName: string;
  running: boolean | null;
  errorOnly: boolean;
  since: Date | null;
  until: Date | null;
  limit: number;
  skip: number;
}

export async function listEvents(ctx: Ctx, p: Principal, q: EventQuery): Promise<Record<string, unknown>[]> {
  const f: EventFilter = { limit: q.limit > 0 ? Math.min(q.limit, 1000) : 100, skip: Math.max(0, q.skip) };
  if (q.kindNames.length) f.kindNames = q.kindNames;
  if (q.targetType) f.targetType = q.targetType;
  if (q.targetValue) f.targetValue = q.targetValue;
  if (q.ownerName) f.ownerName = q.ownerName;
  if (q.running !== null) f.running = q.running;
  if (q.errorOnly) f.errorOnly = true;
  if (q.since) f.since = q.since;
  if (q.until) f.until = q.until;
  const allowed = await allowedTargets(ctx, p);
  if (allowed) f.allowed = allowed;
  return (await ctx.store.listEvents(f)).map(eventView);
}

export async function eventInfo(ctx: Ctx, p: Principal, id: string): Promise<Record<string, unknown>> {
  if (!isObjectId(id))
    throw new BadRequestError(`Invalid event id "${id.slice(0, 40)}": ids are 24 hex characters.`);
  const e = await ctx.store.findEvent(id);
  if (!e || !(await canSee(ctx, p, e))) throw new NotFoundError(`Event "${id}" not found.`);
  return eventView(e);
}

async function canSee(ctx: Ctx, p: Principal, e: EventRecord): Promise<boolean> {
  if (e.owner.name === (p.kind === "user" ? p.email : p.tokenId)) return true;
  if (e.target.type === "app") {
    const app = await ctx.store.findApp(e.target.value);
    if (app) return can(p, "app.read.events", appContexts(app));
    return isGlobal(p, "app.read.events");
  }
  if (e.target.type === "team") return can(p, "team.read.events", [{ type: "team", value: e.target.value }]);
  return isGlobal(p, `${e.target.type}.read.events`) || isGlobal(p, "");
}

/** Ask a running cancelable event to stop (the operation acknowledges and ends it). */
export async function cancelEvent(ctx: Ctx, p: Principal, id: string, reason: string): Promise<void> {
  if (!isObjectId(id))
    throw new BadRequestError(`Invalid event id "${id.slice(0, 40)}": ids are 24 hex characters.`);
  const e = await ctx.store.findEvent(id);
  if (!e || !(await canSee(ctx, p, e))) throw new NotFoundError(`Event "${id}" not found.`);
  if (!reason.trim()) throw new BadRequestError("You must provide a reason for canceling the event.");
  if (e.target.type === "app") {
    const app = await ctx.store.findApp(e.target.value);
    if (app && !can(p, "app.update.events", appContexts(app))) throw new ForbiddenError();
  } else if (!isGlobal(p, "")) throw new ForbiddenError();
  if (!e.running || !e.cancelable)
    throw new BadRequestError(
      "This event is not cancelable: only running deploys and builds can be canceled.",
    );
  await ctx.store.updateEventCancel(id, {
    owner: p.kind === "user" ? p.email : p.tokenId,
    reason: reason.trim(),
    asked: true,
    startTime: ctx.now(),
  });
}
