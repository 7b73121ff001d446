// Which server runs the reconcilers (the startup convergence and the healer). Several
// servers may share one PostgreSQL store; each reconciler assumes it is the only one
// changing units behind the operations in flight, so exactly one server, the holder of the
// store's "reconciler" leadership (an advisory lock), runs them. The others retry every
// `retryMs` and take over when the leader's database session ends (crash, kill -9, network
// loss). On SQLite there is one server and it always leads.
import type { Logger } from "pino";
import type { Leadership, Store } from "../store/types.js";

export const RECONCILER_LEADERSHIP = "reconciler";

export interface LeaderHooks {
  /** Runs when this server becomes the leader (the startup reconcile, then the healer). */
  lead(): Promise<void>;
  /** Runs when the leadership is lost: stop whatever lead() started. */
  yield(): Promise<void>;
}

export interface LeaderFollower {
  /** Whether this server leads right now. */
  readonly leading: boolean;
  /** Stops trying, ends the reconcilers (yield) and gives the leadership up. */
  stop(): Promise<void>;
}

/**
 * Tries once at once (awaited: a leader has reconciled before this resolves), then every
 * `retryMs` while another server leads.
 */
export async function followLeadership(
  store: Store,
  hooks: LeaderHooks,
  opts: { log: Logger; retryMs?: number },
): Promise<LeaderFollower> {
  const retryMs = opts.retryMs ?? 10_000;
  let held: Leadership | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const later = () => {
    if (stopped) return;
    timer = setTimeout(() => void attempt(), retryMs);
    timer.unref();
  };

  async function attempt(): Promise<void> {
    if (stopped) return;
    let got: Leadership | null;
    try {
      got = await store.tryLeadership(RECONCILER_LEADERSHIP);
    } catch (err) {
      opts.log.warn({ err }, "could not ask the store for the reconciler leadership; trying again");
      return later();
    }
    if (!got) return later();
    if (stopped) return got.release();
    held = got;
    opts.log.info("this server leads the reconcilers");
    void got.lost.then(async () => {
      if (held !== got || stopped) return;
      held = null;
      opts.log.warn("the reconciler leadership was lost (store connection closed); stopping them");
      await hooks.yield().catch((err) => opts.log.error({ err }, "stopping the reconcilers failed"));
      later();
    });
    try {
      await hooks.lead();
    } catch (err) {
      // The reconcile reports its own errors; one that escapes must not keep the lock idle.
      opts.log.error({ err }, "the reconcilers failed to start; giving the leadership up");
      held = null;
      await got.release();
      later();
    }
  }

  await attempt();
  return {
    get leading() {
      return held !== null;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const h = held;
      held = null;
      if (h) {
        await hooks.yield();
        await h.release();
      }
    },
  };
}
