// The server's own sampling of unit metrics, for nodes whose agent is not reporting (no
// wharf-agent node container, as on the embedded default, or an agent gone silent), as the
// server collects logs for them (src/logs/collectors.ts). Without it those nodes' units would
// have no CPU or memory series at all, and an autoscaler with a CPU target nothing to read.
//
// Once per 10 s step it lists each such node's unit containers and reads one-shot stats of
// each, one container after another per node (nodes in parallel), with the agent's sampler
// (src/agent/sampler.ts, without cgroup files: the server is not on the node), and stores the
// figures as the agent's report would. That is a request per unit per step over the node's TLS
// connection: fine as the fallback, and the reason the agent reads cgroup files instead.
// It runs on the reconciler leader only (node-agents.ts): the samples go to the shared store,
// and every other server reads them there. A node whose agent reports again is left to it.
import type { Logger } from "pino";
import { UnitSampler, type SampledContainer, type SamplerDocker } from "../agent/sampler.js";
import type { Store } from "../store/types.js";
import type { MetricsService } from "./service.js";
import { msToNextStep } from "../util/steps.js";

/** What the server reads of one node. */
export interface NodeStatsSource extends SamplerDocker {
  /** The node's running unit containers (Wharf's labels). */
  listUnits(): Promise<SampledContainer[]>;
}

export interface ServerMetricCollectorsOptions {
  store: Pick<Store, "listNodes">;
  metrics: Pick<MetricsService, "ingest">;
  /** Whether the node's agent reports (then the agent samples). */
  agentLive: (node: string) => boolean;
  sourceFor: (node: string) => NodeStatsSource;
  log: Pick<Logger, "warn" | "debug">;
}

interface Sampling {
  source: NodeStatsSource;
  sampler: UnitSampler;
}

/** Past the step boundary, as the agent does, so a pass reads counters of the step just begun. */
const AFTER_BOUNDARY_MS = 200;

export class ServerMetricCollectors {
  private readonly sampling = new Map<string, Sampling>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;

  constructor(private readonly o: ServerMetricCollectorsOptions) {}

  /** Nodes the server samples now. */
  get nodes(): string[] {
    return [...this.sampling.keys()];
  }

  start(): void {
    if (this.timer) return;
    const next = () => {
      this.timer = setTimeout(
        () => {
          this.pass = this.sampleOnce().finally(() => {
            this.pass = undefined;
            if (this.timer) next();
          });
        },
        msToNextStep(Date.now()) + AFTER_BOUNDARY_MS,
      );
      this.timer.unref();
    };
    next();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
    this.sampling.clear();
  }

  /** One pass: reads every unit of every node without a reporting agent and stores the figures. */
  async sampleOnce(): Promise<void> {
    let nodes: string[];
    try {
      nodes = (await this.o.store.listNodes())
        .filter((n) => n.health.state === "healthy" && !this.o.agentLive(n.address))
        .map((n) => n.address);
    } catch (err) {
      this.o.log.warn({ err }, "metrics: could not list nodes to sample");
      return;
    }
    const want = new Set(nodes);
    // A node left to its agent starts afresh if the server samples it again later.
    for (const n of [...this.sampling.keys()]) if (!want.has(n)) this.sampling.delete(n);
    await Promise.all(nodes.map((n) => this.sampleNode(n)));
  }

  private async sampleNode(node: string): Promise<void> {
    let s = this.sampling.get(node);
    if (!s) {
      const source = this.o.sourceFor(node);
      this.sampling.set(node, (s = { source, sampler: new UnitSampler(source, null) }));
    }
    try {
      await s.sampler.sample(await s.source.listUnits());
    } catch (err) {
      this.o.log.debug({ err, node }, "metrics: could not sample the node's units");
    }
    const pending = s.sampler.peek();
    if (pending.length === 0) return;
    try {
      await this.o.metrics.ingest(node, pending);
      s.sampler.sent(pending.length);
    } catch (err) {
      // Kept (bounded) for the next pass.
      this.o.log.warn({ err, node }, "metrics: could not store the node's samples");
    }
  }
}
