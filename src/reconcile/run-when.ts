// A background loop that may run only while several conditions hold at once: the
// node-container reconciler needs the server's own address (its agents report there) and the
// reconciler leadership (two servers would recreate the same containers). Conditions come and
// go in any order; the loop starts when the last one arrives and stops when any one goes.
export interface Startable {
  start(): void;
  stop(): Promise<void>;
}

export class RunWhen<C extends string> {
  private readonly holding = new Set<C>();
  private running = false;

  constructor(
    private readonly loop: Startable,
    private readonly conditions: readonly C[],
  ) {}

  async set(condition: C, on: boolean): Promise<void> {
    if (on) this.holding.add(condition);
    else this.holding.delete(condition);
    const want = this.conditions.every((c) => this.holding.has(c));
    if (want === this.running) return;
    this.running = want;
    if (want) this.loop.start();
    else await this.loop.stop();
  }
}
