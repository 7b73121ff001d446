// Calls that legitimately stay quiet for long (a stop's grace period, waiting for a one-off
// command, following its output, a slow pull) or that a busy engine takes seconds to answer
// (creating and starting a container) would trip the node client's short idle timeout, which is
// right for reads and for noticing a dead node. They go through a copy of the same client (same
// address, TLS material and health accounting) with a longer idle limit of their own; every call
// to a node still has one, so a node that dies mid-call cannot hold an operation for ever.
import Docker from "dockerode";

const copies = new WeakMap<Docker, Map<number, Docker>>();

/** The client with another idle limit (ms), cached per client and limit. */
export function withIdleTimeout(engine: Docker, timeoutMs: number): Docker {
  let byTimeout = copies.get(engine);
  if (!byTimeout) copies.set(engine, (byTimeout = new Map()));
  let copy = byTimeout.get(timeoutMs);
  if (!copy) {
    // A shallow copy of the modem keeps its protocol, host, socket and TLS fields (and the node
    // connector's health wrapper of dial, which reads the timeout of the modem it is called on).
    const modem = Object.assign(
      Object.create(Object.getPrototypeOf(engine.modem) as object) as object,
      engine.modem,
      { timeout: timeoutMs },
    ) as Docker["modem"];
    copy = new Docker({ modem } as Docker.DockerOptions);
    byTimeout.set(timeoutMs, copy);
  }
  return copy;
}

/** Streams and waits: five quiet minutes mean the node or the connection is gone. */
export const LONG_LIVED_IDLE_MS = 300_000;

export function longLived(engine: Docker): Docker {
  return withIdleTimeout(engine, LONG_LIVED_IDLE_MS);
}

/** Creating and starting containers: a loaded engine may take seconds, a minute is a dead one. */
export const CHANGE_TIMEOUT_MS = 60_000;

export function forChanges(engine: Docker): Docker {
  return withIdleTimeout(engine, CHANGE_TIMEOUT_MS);
}

/** Rejects with the signal's reason once it aborts; for awaiting things that have no signal. */
export function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error("the operation was cancelled");
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Docker answers 404 for a container or image that does not exist. */
export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number } | null)?.statusCode === 404;
}

/**
 * Removes a container and waits until it is gone: AutoRemove, or an abort handler, may already
 * be removing it, and then the engine answers the removal at once while the container lingers.
 */
export async function removeAndWait(engine: Docker, id: string): Promise<void> {
  const c = engine.getContainer(id);
  await c.remove({ force: true }).catch(() => {});
  for (let i = 0; i < 100; i++) {
    try {
      await c.inspect();
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
