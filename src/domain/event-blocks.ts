// tsuru's event blocks, without I/O: which active block stops a new event (tsuru 1.8
// event/block.go checkIsBlocked: kind by prefix, owner by name, target exactly or by type) and
// the sentence the refused request gets.
import type { EventBlockRecord, EventOwner, EventTarget } from "../store/types.js";

/** Event blocks themselves are never blocked: an admin can always lift a block. */
export const EVENT_BLOCK_TARGET = "event-block";

export interface StartingEvent {
  kind: string;
  owner: EventOwner;
  target: EventTarget;
}

export function blocks(b: EventBlockRecord, e: StartingEvent): boolean {
  if (!b.active || e.target.type === EVENT_BLOCK_TARGET) return false;
  if (b.kindName !== "" && !e.kind.startsWith(b.kindName)) return false;
  if (b.ownerName !== "" && b.ownerName !== e.owner.name) return false;
  if (b.target.type === "") return true;
  if (b.target.type !== e.target.type) return false;
  return b.target.value === "" || b.target.value === e.target.value;
}

/** The first block that stops the event, if any (blocks newest first, as the store lists them). */
export function blockingEvent(list: readonly EventBlockRecord[], e: StartingEvent): EventBlockRecord | null {
  return list.find((b) => blocks(b, e)) ?? null;
}

/** tsuru's Block.String(): "block app.deploy by all users on app(x): reason". */
export function describeBlock(b: EventBlockRecord): string {
  const kind = b.kindName || "all actions";
  const owner = b.ownerName || "all users";
  const target = b.target.type ? `${b.target.type}(${b.target.value})` : "all targets";
  return `block ${kind} by ${owner} on ${target}: ${b.reason}`;
}

/** tsuru's ErrEventBlocked sentence, with how to lift the block. */
export function blockedMessage(b: EventBlockRecord, e: StartingEvent): string {
  return (
    `error running "${e.kind}" on ${e.target.type}(${e.target.value}): ${describeBlock(b)} ` +
    `(an admin lifts it with tsuru event-block-remove ${b.id})`
  );
}
