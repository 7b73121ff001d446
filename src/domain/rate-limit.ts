// Sliding-window counter of failed logins, per key ("user:x", "addr:1.2.3.4"). Pure:
// the clock is passed in. Memory is bounded by pruning old keys as they're touched and
// by a cap on tracked keys (oldest dropped first), so a flood of fake names can't grow it.
export class FailureLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const arr = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (arr.length === 0) this.hits.delete(key);
    else this.hits.set(key, arr);
    return arr;
  }

  /** Seconds until the key may try again, or 0 when it is under `max`. */
  blockedFor(key: string, max: number, now: number): number {
    const arr = this.recent(key, now);
    if (arr.length < max) return 0;
    const oldest = arr[arr.length - max]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  fail(key: string, now: number): void {
    const arr = this.recent(key, now);
    arr.push(now);
    this.hits.delete(key);
    this.hits.set(key, arr);
    if (this.hits.size > this.maxKeys) {
      const first = this.hits.keys().next().value;
      if (first !== undefined) this.hits.delete(first);
    }
  }

  reset(key: string): void {
    this.hits.delete(key);
  }
}
