// Every mutation runs inside an event: the event records who did what to which target,
// its log and its error, and (with lock) doubles as a per-target lock so a second
// conflicting operation gets 409 naming the running event.
import type {
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
import { WharfError } from "../errors.js";

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

export async function withEvent<T>(
  store: Store,
  p: Principal,
  spec: EventSpec,
  opts: EventRunOptions,
  fn: (ev: EventHandle) => Promise<T>,
): Promise<T> {
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
    return out;
  } catch (e) {
    const mapped = fromStoreError(e);
    const msg = mapped instanceof Error ? mapped.message : String(mapped);
    // Closing the event must not hide the original failure.
    await store.finishEvent(ev.id, { error: msg }).catch(() => undefined);
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
  const base = {
    kind: { type: "permission" as const, name: spec.kind },
    target: spec.target,
    extraTargets: spec.extraTargets ?? [],
    owner: ownerOf(p),
    cancelable: spec.cancelable ?? false,
    startCustomData: spec.data ?? null,
    instanceId: opts.instanceId,
  };
  try {
    return await store.tx(async (t) => {
      const ev = await t.createEvent({ ...base, lock: spec.lock ?? false });
      const out = await fn(t, ev);
      await t.finishEvent(ev.id, {});
      return out;
    });
  } catch (e) {
    const mapped = fromStoreError(e);
    if (!(e instanceof LockedError)) {
      const msg = mapped instanceof Error ? mapped.message : String(mapped);
      await store
        .tx(async (t) => {
          const ev = await t.createEvent({ ...base, lock: false });
          await t.finishEvent(ev.id, { error: msg });
        })
        .catch(() => undefined);
    }
    throw mapped instanceof WharfError ? mapped : e;
  }
}
