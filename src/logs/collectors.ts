// The server's own log collection, for nodes whose agent is not reporting (no agent
// configured, or it went silent): one collector per healthy node, stopped as soon as the
// node's agent reports again. A hand-over either way resumes from the newest line stored
// per unit and duplicates are dropped at ingestion, so lines are neither lost nor doubled.
import type { Logger } from "pino";
import type { Store } from "../store/types.js";
import { LogCollector, type LogSource } from "../agent/collector.js";
import { LogShipper } from "../agent/shipper.js";
import type { LogIngest } from "./ingest.js";

export interface ServerCollectorsOptions {
  store: Store;
  ingest: LogIngest;
  /** Whether the node's agent reports (then the agent collects). */
  agentLive: (node: string) => boolean;
  sourceFor: (node: string) => LogSource;
  log: Logger;
  intervalMs?: number;
}

interface Running {
  collector: LogCollector;
  shipper: LogShipper;
}

export class ServerLogCollectors {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly o: ServerCollectorsOptions) {}

  /** Nodes the server collects from now. */
  get nodes(): string[] {
    return [...this.running.keys()];
  }

  start(): void {
    if (this.timer) return;
    void this.sync();
    this.timer = setInterval(() => void this.sync(), this.o.intervalMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const n of [...this.running.keys()]) this.end(n);
  }

  async sync(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const want = new Set(
        (await this.o.store.listNodes())
          .filter((n) => n.health.state === "healthy" && !this.o.agentLive(n.address))
          .map((n) => n.address),
      );
      for (const n of [...this.running.keys()]) if (!want.has(n)) this.end(n);
      for (const n of want) if (!this.running.has(n)) await this.begin(n);
    } catch (err) {
      this.o.log.warn({ err }, "log collection: could not list nodes");
    } finally {
      this.busy = false;
    }
  }

  private async begin(node: string): Promise<void> {
    const shipper = new LogShipper({
      send: (lines) => this.o.ingest.ingest(node, lines),
      onError: (err) => this.o.log.warn({ err, node }, "log collection: storing lines failed"),
    });
    const collector = new LogCollector(this.o.sourceFor(node), (lines) => shipper.push(lines), {
      marks: () => this.o.ingest.marksFor(node),
      onError: (err, where) => this.o.log.debug({ err, node, where }, "log collection"),
    });
    this.running.set(node, { collector, shipper });
    await collector.start();
  }

  private end(node: string): void {
    const r = this.running.get(node);
    if (!r) return;
    this.running.delete(node);
    r.collector.stop();
    void r.shipper.flush().finally(() => r.shipper.stop());
  }
}
