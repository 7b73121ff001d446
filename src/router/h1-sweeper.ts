// Upstream timeouts without a timer per request: each connection keeps an absolute deadline and one
// interval, running only while connections exist, expires the ones past it. Resolution is the tick
// (50 ms), far below any timeout the router uses.
const TICK_MS = 50;

interface Expirable {
  deadline: number;
  expire(): void;
}

class Sweeper {
  private readonly live = new Set<Expirable>();
  private timer: NodeJS.Timeout | undefined;
  private now = 0;

  /**
   * An absolute deadline `ms` from now, never early and at most two ticks late. Reads the clock of
   * the last tick instead of the system clock: deadlines are set several times per request.
   */
  deadline(ms: number): number {
    return this.clock() + ms + TICK_MS;
  }

  /** Milliseconds since the epoch as of the last tick (normally at most one tick old). */
  clock(): number {
    return this.timer ? this.now : Date.now();
  }

  add(c: Expirable): void {
    this.live.add(c);
    if (!this.timer) {
      this.now = Date.now();
      this.timer = setInterval(() => this.sweep(), TICK_MS);
      this.timer.unref();
    }
  }

  remove(c: Expirable): void {
    this.live.delete(c);
    if (this.live.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private sweep(): void {
    const now = (this.now = Date.now());
    for (const c of this.live) if (c.deadline !== 0 && c.deadline <= now) c.expire();
  }
}

export const sweeper = new Sweeper();
