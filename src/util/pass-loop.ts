// A reconciler's periodic pass that never overlaps itself. Kicks that arrive while a pass
// runs coalesce into one more pass right after it (the change they announce may have been
// read too early), and the interval restarts after each pass, so a slow pass is never
// followed by an immediate timer pass on top of the kicked one.
export class PassLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly intervalMs: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get active(): boolean {
    return !this.stopped;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  /** Stops the timer at once (kicks are ignored from here on) and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle();
  }

  /** Runs a pass now, or right after the one under way. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.track(this.pass());
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Runs `fn` in a pass's place: after the pass under way, before any other. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // The check and the start are in one turn, so two callers cannot both start.
    while (this.running) await this.running;
    clearTimeout(this.timer);
    // fn starts a turn later, when it already counts as the running pass, so a kick it
    // makes waits for it.
    const run = Promise.resolve().then(fn);
    this.track(run.then(() => undefined));
    return run;
  }

  private track(run: Promise<void>): void {
    this.running = run
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
          return;
        }
        this.timer = setTimeout(() => this.kick(), this.intervalMs());
        this.timer.unref();
      });
  }
}
