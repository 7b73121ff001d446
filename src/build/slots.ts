// A per-node cap on concurrent builds, so a burst of deploys cannot take a node down. Waiters
// are served first come, first served and are told their place in line whenever it changes,
// so a queued deploy shows why it is not moving.
export type ReleaseSlot = () => void;

export interface AcquireOptions {
  /** Called when the build starts waiting and each time its place changes (0 = next). */
  onWait?: (ahead: number) => void;
}

interface Waiter {
  grant: () => void;
  onWait?: (ahead: number) => void;
}

interface NodeQueue {
  running: number;
  waiting: Waiter[];
}

export class BuildSlots {
  private readonly nodes = new Map<string, NodeQueue>();

  constructor(readonly perNode: number) {
    if (!Number.isInteger(perNode) || perNode < 1) {
      throw new Error(`the build concurrency per node must be a whole number of at least 1, got ${perNode}`);
    }
  }

  /** Builds running and waiting on a node. */
  usage(node: string): { running: number; waiting: number } {
    const q = this.nodes.get(node);
    return { running: q?.running ?? 0, waiting: q?.waiting.length ?? 0 };
  }

  /**
   * Resolves with a release function once a slot on `node` is free. Rejects with the
   * signal's reason when aborted while waiting (the place in line is given up).
   */
  acquire(node: string, opts: AcquireOptions = {}, signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const q = this.queue(node);
    if (q.running < this.perNode && q.waiting.length === 0) {
      q.running++;
      return Promise.resolve(this.releaser(node, q));
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = () => {
        const i = q.waiting.indexOf(waiter);
        if (i >= 0) {
          q.waiting.splice(i, 1);
          this.notify(q, i);
          this.forget(node, q);
        }
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          q.running++;
          resolve(this.releaser(node, q));
        },
        ...(opts.onWait ? { onWait: opts.onWait } : {}),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      q.waiting.push(waiter);
      opts.onWait?.(q.waiting.length - 1);
    });
  }

  private queue(node: string): NodeQueue {
    let q = this.nodes.get(node);
    if (!q) {
      q = { running: 0, waiting: [] };
      this.nodes.set(node, q);
    }
    return q;
  }

  private releaser(node: string, q: NodeQueue): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return; // a second release must not free someone else's slot
      released = true;
      q.running--;
      const next = q.waiting.shift();
      if (next) {
        next.grant();
        this.notify(q, 0);
      }
      this.forget(node, q);
    };
  }

  /** Waiters from index `from` on moved up one place. */
  private notify(q: NodeQueue, from: number): void {
    for (let i = from; i < q.waiting.length; i++) q.waiting[i]!.onWait?.(i);
  }

  private forget(node: string, q: NodeQueue): void {
    if (q.running === 0 && q.waiting.length === 0) this.nodes.delete(node);
  }
}

/** The line a queued build shows, e.g. "waiting for a build slot on n1: 2 builds ahead". */
export function waitingLine(node: string, ahead: number): string {
  if (ahead === 0) return `waiting for a build slot on ${node}: next in line`;
  return `waiting for a build slot on ${node}: ${ahead} build${ahead === 1 ? "" : "s"} ahead`;
}
