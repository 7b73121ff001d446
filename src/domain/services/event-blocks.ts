// tsuru's event-block-add/list/remove: admins freeze kinds of operations (a kind prefix, an owner,
// a target or a target type) with a reason; withEvent refuses what an active block matches.
import type { EventBlockRecord } from "../../store/types.js";
import { BadRequestError } from "../errors.js";
import { EVENT_BLOCK_TARGET } from "../event-blocks.js";
import { clip } from "../names.js";
import { isObjectId, newObjectId } from "../secrets.js";
import type { Ctx } from "./context.js";
import { forgetEventBlocks, withEvent } from "./events.js";
import { authorize, type Principal } from "./principal.js";
import { mapped } from "./store-errors.js";
import { ZERO_TIME } from "./tokens.js";

/** Target types events carry (tsuru's, and Wharf's service-broker and token). */
export const TARGET_TYPES = [
  "global",
  "app",
  "node",
  "container",
  "pool",
  "service",
  "service-instance",
  "service-broker",
  "team",
  "user",
  "iaas",
  "role",
  "platform",
  "plan",
  "node-container",
  "event-block",
  "cluster",
  "volume",
  "webhook",
  "router",
  "token",
];

export interface BlockInput {
  kindName: string;
  ownerName: string;
  targetType: string;
  targetValue: string;
  reason: string;
}

export interface BlockView {
  ID: string;
  StartTime: string;
  EndTime: string;
  KindName: string;
  OwnerName: string;
  Target: { Type: string; Value: string };
  Reason: string;
  Active: boolean;
}

export function blockView(b: EventBlockRecord): BlockView {
  return {
    ID: b.id,
    StartTime: b.startTime.toISOString(),
    EndTime: b.endTime ? b.endTime.toISOString() : ZERO_TIME,
    KindName: b.kindName,
    OwnerName: b.ownerName,
    Target: { Type: b.target.type, Value: b.target.value },
    Reason: b.reason,
    Active: b.active,
  };
}

function check(f: BlockInput): void {
  if (!f.reason.trim())
    throw new BadRequestError("reason is required: say why the block exists (tsuru event-block-add REASON).");
  if (f.reason.length > 1000)
    throw new BadRequestError("The reason is too long: keep it under 1000 characters.");
  if (f.kindName && !/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.?$/.test(f.kindName))
    throw new BadRequestError(
      `Invalid kind "${clip(f.kindName)}": give an event kind or its prefix, such as app.deploy or app (tsuru permission-list).`,
    );
  if (f.ownerName.length > 254)
    throw new BadRequestError("The owner is too long: give a user's email or a token id.");
  if (f.targetType && !TARGET_TYPES.includes(f.targetType))
    throw new BadRequestError(
      `Invalid target type "${clip(f.targetType)}": use one of ${TARGET_TYPES.join(", ")}.`,
    );
  if (f.targetValue && !f.targetType)
    throw new BadRequestError("A target value needs its type: give -t TYPE with -v VALUE.");
  if (f.targetValue.length > 254) throw new BadRequestError("The target value is too long.");
}

export async function addBlock(ctx: Ctx, p: Principal, f: BlockInput): Promise<BlockView> {
  authorize(p, "event-block.add");
  check(f);
  const id = newObjectId();
  const block = await withEvent(
    ctx.store,
    p,
    {
      kind: "event-block.add",
      target: { type: EVENT_BLOCK_TARGET, value: id },
      data: {
        kindName: f.kindName,
        ownerName: f.ownerName,
        target: { type: f.targetType, value: f.targetValue },
      },
    },
    { instanceId: ctx.settings.instanceId },
    () =>
      ctx.store.createEventBlock({
        id,
        startTime: ctx.now(),
        kindName: f.kindName,
        ownerName: f.ownerName,
        target: { type: f.targetType, value: f.targetValue },
        reason: f.reason,
      }),
  );
  forgetEventBlocks(ctx.store);
  return blockView(block);
}

export async function listBlocks(ctx: Ctx, p: Principal, activeOnly: boolean): Promise<BlockView[]> {
  authorize(p, "event-block.read");
  const list = await ctx.store.listEventBlocks(activeOnly ? { active: true } : {});
  return list.map(blockView);
}

export async function removeBlock(ctx: Ctx, p: Principal, id: string): Promise<void> {
  authorize(p, "event-block.remove");
  if (!isObjectId(id))
    throw new BadRequestError(
      `Invalid block id "${clip(id)}": give the 24-character ID from tsuru event-block-list.`,
    );
  await withEvent(
    ctx.store,
    p,
    { kind: "event-block.remove", target: { type: EVENT_BLOCK_TARGET, value: id } },
    { instanceId: ctx.settings.instanceId },
    () => mapped(() => ctx.store.deactivateEventBlock(id)),
  );
  forgetEventBlocks(ctx.store);
}
