// Keeps this server's running events (and therefore their per-target locks) visibly alive.
// With several servers on PostgreSQL, a server that starts can then close only events whose
// heartbeat stopped (`closeStaleEvents({ instanceId: me, heartbeatBefore })`) instead of every
// running event, which would also close operations other live servers are still running.
import type { StoreOps } from "../store/types.js";

export interface Heartbeat {
  stop(): void;
}

export function startEventHeartbeat(
  store: Pick<StoreOps, "touchRunningEvents">,
  instanceId: string,
  intervalMs = 10_000,
  onError: (err: unknown) => void = () => undefined,
): Heartbeat {
  const timer = setInterval(() => {
    store.touchRunningEvents(instanceId).catch(onError);
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Heartbeats older than this many intervals mean the owning server is gone. */
export function staleBefore(intervalMs = 10_000, missed = 3, now = new Date()): Date {
  return new Date(now.getTime() - intervalMs * missed);
}
