// Assembles app logs, unit metrics, node agents and node containers for one server: the log
// hub and ingestion, the metrics service (agent samples, router counts, /metrics export), the
// agent registry (feeding node health), the node container reconciler and the server's own
// log collectors and metric sampling (for nodes without a reporting agent), with their routes. server.ts creates it with the API and
// starts its loops once the API listens (agents need its address).
import { RunWhen } from "../reconcile/run-when.js";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { WharfConfig } from "../config/config.js";
import type { Ctx } from "../domain/services/context.js";
import type { NodeConnector } from "../domain/services/node-port.js";
import type { DeployCtx } from "../deploy/context.js";
import { LogHub } from "../logs/hub.js";
import { LogIngest } from "../logs/ingest.js";
import { ServerLogCollectors } from "../logs/collectors.js";
import { dockerLogSource } from "../logs/docker-source.js";
import { AgentRegistry, type AgentHealthPort } from "../nodecontainers/agents.js";
import { NodeContainerReconciler } from "../reconcile/node-containers.js";
import type { NodeContainerPort } from "../nodecontainers/service.js";
import { ServiceUnavailableError } from "../domain/errors.js";
import { buildAgentImage } from "../build/agent-image.js";
import { MetricsService } from "../metrics/service.js";
import { registerMetricsExport } from "../metrics/prometheus.js";
import { ServerMetricCollectors } from "../metrics/collectors.js";
import { dockerStatsSource } from "../metrics/docker-source.js";
import { logRoutes } from "../api/routes/logs.js";
import { metricRoutes } from "../api/routes/metrics.js";
import { agentRoutes } from "../api/routes/agent.js";
import { nodeContainerRoutes } from "../api/routes/nodecontainers.js";

export interface NodeAgentServices {
  hub: LogHub;
  ingest: LogIngest;
  metrics: MetricsService;
  agents: AgentRegistry;
  nodeContainers: NodeContainerReconciler | null;
  collectors: ServerLogCollectors | null;
  /** The server's own metric sampling of nodes without a reporting agent (leader only). */
  metricCollectors: ServerMetricCollectors | null;
  /** The API address agents use, once known. */
  apiUrl: string;
  /** Called when a report shows a started unit down (the server wakes the healer). */
  onUnitsDown: (node: string) => void;
  start(listening: string): void;
  stop(): Promise<void>;
  /** The node-container reconciler runs only on the reconciler leader (and once listening). */
  setLeading(on: boolean): Promise<void>;
}

/** Without a cluster, node containers can be configured but run nowhere yet. */
const noCluster: NodeContainerPort = {
  kick: () => undefined,
  checkAgentReady: () => undefined,
  upgrade: async () => {
    throw new ServiceUnavailableError(
      "This server has no cluster (WHARF_REGISTRY and nodes): there are no node containers to upgrade.",
    );
  },
};

function healthPort(c: NodeConnector | undefined): AgentHealthPort | undefined {
  const h = c as Partial<AgentHealthPort> | undefined;
  return h && typeof h.reportFailure === "function" && typeof h.checkNow === "function"
    ? (h as AgentHealthPort)
    : undefined;
}

/** A listening address nodes can reach: not loopback, not a wildcard. */
export function reachableUrl(listening: string): string {
  try {
    const u = new URL(listening);
    const host = u.hostname.replace(/^\[|\]$/g, "");
    if (/^(127\.|0\.0\.0\.0$|::1?$|localhost$)/.test(host)) return "";
    return `${u.protocol}//${u.host}`;
  } catch {
    return "";
  }
}

export function createNodeAgentServices(
  app: FastifyInstance,
  ctx: Ctx,
  config: WharfConfig,
  log: Logger,
  o: { nodeConnector?: NodeConnector; deploy: DeployCtx | null; registry?: Registry },
): NodeAgentServices {
  const store = ctx.store;
  const hub = new LogHub({
    store,
    historyLines: config.logHistoryLines,
    shared: store.kind === "postgres",
    onError: (err) => log.warn({ err }, "app log fan-out"),
  });
  const ingest = new LogIngest(store, hub);
  const metrics = new MetricsService({ store, log });
  if (o.registry) registerMetricsExport(o.registry, metrics);
  const health = healthPort(o.nodeConnector);
  // Set with the node-container reconciler (a cluster): it runs while listening and leading.
  let gate: RunWhen<"listening" | "leading"> | undefined;
  // The same for the server's metric sampling: one sampler per node in the cluster.
  let sampleGate: RunWhen<"listening" | "leading"> | undefined;
  const services: NodeAgentServices = {
    hub,
    ingest,
    metrics,
    agents: null as unknown as AgentRegistry,
    nodeContainers: null,
    collectors: null,
    metricCollectors: null,
    apiUrl: config.agentApiUrl,
    onUnitsDown: () => undefined,
    start(at) {
      if (!services.apiUrl) services.apiUrl = reachableUrl(at);
      services.agents.start();
      void metrics.start();
      void gate?.set("listening", true);
      void sampleGate?.set("listening", true);
      services.collectors?.start();
    },
    async stop() {
      services.agents.stop();
      metrics.stop();
      services.collectors?.stop();
      await gate?.set("listening", false);
      await sampleGate?.set("listening", false);
      hub.close();
    },
    async setLeading(on) {
      await gate?.set("leading", on);
      await sampleGate?.set("leading", on);
    },
  };
  services.agents = new AgentRegistry({
    store,
    intervalMs: config.agentIntervalMs,
    ...(health ? { health } : {}),
    onUnitsDown: (node) => services.onUnitsDown(node),
    onSilent: (node, ms) => log.warn({ node, silentMs: ms }, "node agent silent: polling its node now"),
  });
  logRoutes(app, ctx, hub);
  metricRoutes(app, ctx, metrics);
  if (o.nodeConnector) agentRoutes(app, services.agents, ingest, metrics);
  const dc = o.deploy;
  if (!dc) nodeContainerRoutes(app, ctx, noCluster);
  if (dc) {
    let built: Promise<string> | undefined;
    const agentImage = (out: (line: string) => void): Promise<string> => {
      if (config.agentImage) return Promise.resolve(config.agentImage);
      built ??= (async () => {
        const nodes = (await store.listNodes()).filter((n) => n.health.state === "healthy");
        if (!nodes.length) throw new Error("no healthy node to build the agent image on");
        out(`building the wharf-agent image on ${nodes[0]!.address}\n`);
        return buildAgentImage(dc.engines.engineFor(nodes[0]!.address), {
          registry: dc.settings.registry,
          baseImage: dc.settings.baseImage,
          caBundle: dc.settings.caBundle,
        });
      })().catch((err: unknown) => {
        built = undefined;
        throw err;
      });
      return built;
    };
    services.nodeContainers = new NodeContainerReconciler({
      store,
      engines: dc.engines,
      log,
      apiUrl: () => services.apiUrl,
      agentIntervalMs: config.agentIntervalMs,
      agentImage,
    });
    gate = new RunWhen(services.nodeContainers, ["listening", "leading"]);
    nodeContainerRoutes(app, ctx, services.nodeContainers);
    if (config.logCollector)
      services.collectors = new ServerLogCollectors({
        store,
        ingest,
        agentLive: (node) => services.agents.isLive(node),
        sourceFor: (node) => dockerLogSource(dc.engines.engineFor(node)),
        log,
      });
    if (config.metricsCollector) {
      services.metricCollectors = new ServerMetricCollectors({
        store,
        metrics,
        agentLive: (node) => services.agents.isLive(node),
        sourceFor: (node) => dockerStatsSource(dc.engines.engineFor(node)),
        log,
      });
      sampleGate = new RunWhen(services.metricCollectors, ["listening", "leading"]);
    }
  }
  return services;
}
