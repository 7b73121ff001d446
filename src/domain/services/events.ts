// Every mutation runs inside an event: the event records who did what to which target,
// its log and its error, and (with lock) doubles as a per-target lock so a second
// conflicting operation gets 409 naming the running event.
import type {
  EventBlockRecord,
  EventFilter,
  EventRecord,
  EventTarget,
  ExtraTarget,
  Store,
  StoreTx,
} from "../../store/types.js";
import { LockedError } from "../../store/errors.js";
import { ownerOf, type Principal } from "./principal.js";
import { fromStoreError } from "./store-errors.js";
import { ForbiddenError, WharfError } from "../errors.js";
import { blockedMessage, blockingEvent } from "../event-blocks.js";

export interface EventSpec {
  kind: string;
  target: EventTarget;
  extraTargets?: ExtraTarget[];
  lock?: boolean;
  cancelable?: boolean;
  /** Safe, non-secret description of the request (never env values or passwords). */
  data?: unknown;
}

export interface EventHandle {
  id: string;
  /** Append a line to the event log (callers pass only non-secret text). */
  log(line: string): Promise<void>;
}

export interface EventRunOptions {
  instanceId: string;
}

/**
 * Whoever reacts to finished events (webhooks), per store. Told after the event is closed and
 * never awaited: it must not slow or fail the operation it reports.
 */
type FinishObserver = (eventId: string, kind: string) => void;
const finishObservers = new WeakMap<Store, FinishObserver>();

export function observeFinishedEvents(store: Store, fn: FinishObserver | null): void {
  if (fn) finishObservers.set(store, fn);
  else finishObservers.delete(store);
}

function finished(store: Store, id: string, kind: string): void {
  try {
    finishObservers.get(store)?.(id, kind);
  } catch {
    // An observer's failure is its own business.
  }
}

/** Active blocks per store, re-read at most every BLOCKS_CACHE_MS (other servers' changes). */
const BLOCKS_CACHE_MS = 250;
const blockCache = new WeakMap<Store, { until: number; value: Promise<EventBlockRecord[]> }>();

/** This server changed the blocks: the next event reads them again. */
export function forgetEventBlocks(store: Store): void {
  blockCache.delete(store);
}

function activeBlocks(store: Store): Promise<EventBlockRecord[]> {
  const now = Date.now();
  const hit = blockCache.get(store);
  if (hit && hit.until > now) return hit.value;
  const value = store.listEventBlocks({ active: true });
  blockCache.set(store, { until: now + BLOCKS_CACHE_MS, value });
  value.catch(() => blockCache.delete(store));
  return value;
}

/**
 * tsuru refuses an event an active block matches, and records it as a finished event carrying
 * the block's sentence; the request gets that sentence as a 403.
 */
async function refuseIfBlocked(
  store: Store,
  p: Principal,
  spec: EventSpec,
  opts: EventRunOptions,
): Promise<void> {
  const owner = ownerOf(p);
  const starting = { kind: spec.kind, owner, target: spec.target };
  const block = blockingEvent(await activeBlocks(store), starting);
  if (!block) return;
  const msg = blockedMessage(block, starting);
  await store
    .createEvent({
      kind: { type: "permission", name: spec.kind },
      target: spec.target,
      extraTargets: spec.extraTargets ?? [],
      owner,
      lock: false,
      startCustomData: spec.data ?? null,
      instanceId: opts.instanceId,
    })
    .then((e) => store.finishEvent(e.id, { error: msg }))
    .catch(() => undefined);
  throw new ForbiddenError(msg);
}

export async function withEvent<T>(
  store: Store,
  p: Principal,
  spec: EventSpec,
  opts: EventRunOptions,
  fn: (ev: EventHandle) => Promise<T>,
): Promise<T> {
  await refuseIfBlocked(store, p, spec, opts);
  let ev: EventRecord;
  try {
    ev = await store.createEvent({
      kind: { type: "permission", name: spec.kind },
      target: spec.target,
      extraTargets: spec.extraTargets ?? [],
      owner: ownerOf(p),
      lock: spec.lock ?? false,
      cancelable: spec.cancelable ?? false,
      startCustomData: spec.data ?? null,
      instanceId: opts.instanceId,
    });
  } catch (e) {
    throw fromStoreError(e);
  }
  const handle: EventHandle = {
    id: ev.id,
    log: (line) => store.appendEventLog(ev.id, line.endsWith("\n") ? line : `${line}\n`),
  };
  try {
    const out = await fn(handle);
    await store.finishEvent(ev.id, {});
    finished(store, ev.id, spec.kind);
    return out;
  } catch (e) {
    const mapped = fromStoreError(e);
    const msg = mapped instanceof Error ? mapped.message : String(mapped);
    // Closing the event must not hide the original failure.
    await store
      .finishEvent(ev.id, { error: msg })
      .then(() => finished(store, ev.id, spec.kind))
      .catch(() => undefined);
    throw mapped instanceof WharfError ? mapped : e;
  }
}

export type { EventFilter };

/**
 * Like withEvent, for operations that only touch the store: the event and the change
 * commit in one transaction (one fsync instead of three). A failure rolls the change
 * back and is then recorded as its own finished event carrying the error; a lock
 * conflict records nothing, like tsuru.
 */
export async function withEventTx<T>(
  store: Store,
  p: Principal,
  spec: EventSpec,
  opts: EventRunOptions,
  fn: (t: StoreTx, ev: { id: string }) => Promise<T>,
): Promise<T> {
  await refuseIfBlocked(store, p, spec, opts);
  const base = {
    kind: { type: "permission" as const, name: spec.kind },
    target: spec.target,
    extraTargets: spec.extraTargets ?? [],
    owner: ownerOf(p),
    cancelable: spec.cancelable ?? false,
    startCustomData: spec.data ?? null,
    instanceId: opts.instanceId,
  };
  let id = "";
  try {
    const out = await store.tx(async (t) => {
      const ev = await t.createEvent({ ...base, lock: spec.lock ?? false });
      id = ev.id;
      const r = await fn(t, ev);
      await t.finishEvent(ev.id, {});
      return r;
    });
    finished(store, id, spec.kind);
    return out;
  } catch (e) {
    const mapped = fromStoreError(e);
    if (!(e instanceof LockedError)) {
      const msg = mapped instanceof Error ? mapped.message : String(mapped);
      await store
        .tx(async (t) => {
          const ev = await t.createEvent({ ...base, lock: false });
          id = ev.id;
          await t.finishEvent(ev.id, { error: msg });
        })
        .then(() => finished(store, id, spec.kind))
        .catch(() => undefined);
    }
    throw mapped instanceof WharfError ? mapped : e;
  }
}
