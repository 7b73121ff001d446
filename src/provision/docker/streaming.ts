// Calls that legitimately stay quiet for long (a stop's grace period, waiting for a
// one-off command, following its output, a slow pull) would trip the engine client's idle
// timeout, which connectEngine sets for ordinary request/response calls. They go through a
// copy of the same client (same address and TLS material) without that timeout, and are
// bounded by the caller's AbortSignal instead.
import Docker from "dockerode";

const cache = new WeakMap<Docker, Docker>();

export function longLived(engine: Docker): Docker {
  let copy = cache.get(engine);
  if (!copy) {
    // A shallow copy of the modem keeps its protocol, host, socket and TLS fields; only the
    // idle timeout is dropped (docker-modem reads these as plain properties per request).
    const modem = Object.assign(
      Object.create(Object.getPrototypeOf(engine.modem) as object) as object,
      engine.modem,
      {
        timeout: undefined,
      },
    ) as Docker["modem"];
    copy = new Docker({ modem } as Docker.DockerOptions);
    cache.set(engine, copy);
  }
  return copy;
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
