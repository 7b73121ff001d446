// Sends collected log lines to the API in batches: at most one request in flight, a batch
// every flushMs or once maxBatch lines wait, and a bounded backlog while the API is away
// (the oldest lines go first, counted, so the agent's memory stays bounded).
import type { AgentLogAnswer, AgentLogLine } from "./protocol.js";

export interface ShipperOptions {
  send: (lines: AgentLogLine[]) => Promise<AgentLogAnswer>;
  flushMs?: number;
  maxBatch?: number;
  maxBacklog?: number;
  onError?: (err: unknown) => void;
}

export class LogShipper {
  private queue: AgentLogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  /** Lines dropped because the backlog was full; reported with the next status and reset. */
  dropped = 0;

  constructor(private readonly o: ShipperOptions) {}

  push(lines: AgentLogLine[]): void {
    this.queue.push(...lines);
    const max = this.o.maxBacklog ?? 20_000;
    if (this.queue.length > max) {
      this.dropped += this.queue.length - max;
      this.queue.splice(0, this.queue.length - max);
    }
    if (this.queue.length >= (this.o.maxBatch ?? 500)) this.flushSoon(0);
    else this.flushSoon(this.o.flushMs ?? 250);
  }

  /** Sends what is queued now; resolves when the queue is empty or a send failed. */
  async flush(): Promise<void> {
    while (this.queue.length && !this.inFlight) {
      const batch = this.queue.slice(0, this.o.maxBatch ?? 500);
      this.inFlight = this.o
        .send(batch)
        .then(() => {
          this.queue.splice(0, batch.length);
          this.failures = 0;
        })
        .finally(() => (this.inFlight = undefined));
      try {
        await this.inFlight;
      } catch (err) {
        this.failures++;
        this.o.onError?.(err);
        // Back off up to 5 s while the API is unreachable; the lines stay queued.
        this.flushSoon(Math.min(5000, 250 * 2 ** this.failures));
        return;
      }
    }
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  get backlog(): number {
    return this.queue.length;
  }

  private flushSoon(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }
}
