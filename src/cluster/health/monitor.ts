// Polls every node's engine on a short interval and feeds the results, together with errors
// seen by ordinary requests, into the HealthTracker. Defaults find a dead node in about
// three seconds (Swarm's defaults take 90-180 s).
import { HealthTracker, type HealthPolicy, type HealthTransition } from "./tracker.js";

export interface MonitorOptions extends Partial<HealthPolicy> {
  /** Time between two polls of one node. */
  intervalMs?: number;
  /** A poll that takes longer than this counts as a failure. */
  timeoutMs?: number;
  now?: () => Date;
  onTransition?: (t: HealthTransition) => void;
}

export const DEFAULT_MONITOR = { intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 };

type Ping = (signal: AbortSignal) => Promise<void>;

export class NodeMonitor {
  readonly tracker: HealthTracker;
  private readonly pings = new Map<string, Ping>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private running = false;

  constructor(private readonly opts: MonitorOptions = {}) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_MONITOR.intervalMs;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_MONITOR.timeoutMs;
    if (this.intervalMs < 50 || this.timeoutMs < 50)
      throw new Error("monitor interval and timeout must be at least 50 ms");
    this.now = opts.now ?? (() => new Date());
    this.tracker = new HealthTracker({
      failureThreshold: opts.failureThreshold ?? DEFAULT_MONITOR.failureThreshold,
    });
  }

  add(node: string, ping: Ping): void {
    this.pings.set(node, ping);
    this.tracker.track(node, this.now());
    if (this.running) this.schedule(node, 0);
  }

  remove(node: string): void {
    this.pings.delete(node);
    clearTimeout(this.timers.get(node));
    this.timers.delete(node);
    this.tracker.forget(node);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const node of this.pings.keys()) this.schedule(node, 0);
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Ordinary requests to a node report here, so a dead node is noticed between polls too. */
  reportSuccess(node: string): void {
    if (this.pings.has(node)) this.emit(this.tracker.recordSuccess(node, this.now()));
  }

  reportFailure(node: string, error: string): void {
    if (this.pings.has(node)) this.emit(this.tracker.recordFailure(node, error, this.now()));
  }

  /** Polls one node now; resolves when the result is recorded. */
  async pollOnce(node: string): Promise<void> {
    const ping = this.pings.get(node);
    if (!ping) return;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    try {
      await Promise.race([
        ping(ac.signal),
        new Promise<never>((_, reject) =>
          ac.signal.addEventListener("abort", () =>
            reject(new Error(`no answer within ${this.timeoutMs} ms`)),
          ),
        ),
      ]);
      this.reportSuccess(node);
    } catch (err) {
      this.reportFailure(node, err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(node: string, delay: number): void {
    clearTimeout(this.timers.get(node));
    const t = setTimeout(async () => {
      await this.pollOnce(node);
      if (this.running && this.pings.has(node)) this.schedule(node, this.intervalMs);
    }, delay);
    t.unref();
    this.timers.set(node, t);
  }

  private emit(t: HealthTransition | undefined): void {
    if (t && this.opts.onTransition) this.opts.onTransition(t);
  }
}
