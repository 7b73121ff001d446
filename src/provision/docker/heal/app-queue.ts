// Healing never races a deploy or another heal of the same app: work for one app runs in
// an in-process queue (one job at a time per app), and each job holds the app's event
// lock, the same lock `app deploy`, unit add and restart take. A job that finds the lock
// held gives up for now; the healer's next tick tries again.
import type { Store } from "../../../store/types.js";
import { LockedError } from "../../../store/errors.js";

export class AppQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs fn after every job queued before it for the app; errors stay with the caller. */
  run<T>(app: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(app) ?? Promise.resolve();
    const job = prev.then(fn);
    const tail = job.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(app, tail);
    void tail.then(() => {
      if (this.tails.get(app) === tail) this.tails.delete(app);
    });
    return job;
  }

  /** Whether a job of the app is queued or running. */
  busy(app: string): boolean {
    return this.tails.has(app);
  }

  /** Resolves when every queued job has ended. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}

export interface HealEvent {
  id: string;
  log(line: string): Promise<void>;
}

export interface HealEventSpec {
  app: string;
  /** The internal actor named as the event's kind and owner (default "healer"; "autoscale"). */
  actor?: string;
  instanceId: string;
  /** Non-secret description (units, nodes, reasons). */
  data: Record<string, unknown>;
}

/**
 * Runs fn inside a locking `healer` (or `spec.actor`) event on the app. Returns undefined, without
 * recording anything, when another operation holds the app's lock. fn's result goes back;
 * a thrown error ends the event with it and is rethrown.
 */
export async function withHealEvent<T>(
  store: Store,
  spec: HealEventSpec,
  fn: (ev: HealEvent) => Promise<T>,
): Promise<{ value: T } | undefined> {
  let id: string;
  try {
    id = (
      await store.createEvent({
        kind: { type: "internal", name: spec.actor ?? "healer" },
        target: { type: "app", value: spec.app },
        owner: { type: "internal", name: spec.actor ?? "healer" },
        lock: true,
        startCustomData: spec.data,
        instanceId: spec.instanceId,
      })
    ).id;
  } catch (e) {
    if (e instanceof LockedError) return undefined;
    throw e;
  }
  const ev: HealEvent = {
    id,
    log: (line) => store.appendEventLog(id, line.endsWith("\n") ? line : `${line}\n`),
  };
  try {
    const value = await fn(ev);
    await store.finishEvent(id, {});
    return { value };
  } catch (e) {
    await store.finishEvent(id, { error: (e as Error).message }).catch(() => undefined);
    throw e;
  }
}

/** A finished, non-locking healer (or `spec.actor`) event (e.g. "no capacity"), for the record. */
export async function recordHealEvent(
  store: Store,
  spec: HealEventSpec & { log: string; error?: string },
): Promise<void> {
  const e = await store.createEvent({
    kind: { type: "internal", name: spec.actor ?? "healer" },
    target: { type: "app", value: spec.app },
    owner: { type: "internal", name: spec.actor ?? "healer" },
    lock: false,
    startCustomData: spec.data,
    instanceId: spec.instanceId,
  });
  await store.appendEventLog(e.id, spec.log.endsWith("\n") ? spec.log : `${spec.log}\n`);
  await store.finishEvent(e.id, spec.error ? { error: spec.error } : {});
}
