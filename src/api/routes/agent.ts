// The node agents' routes (src/agent/protocol.ts): status reports (with unit metric
// samples), where log collection resumes, and log lines. Only node-agent tokens reach them (api/auth.ts), and each token
// speaks only for its own node.
import type { FastifyInstance } from "fastify";
import { AGENT_ROUTES } from "../../agent/protocol.js";
import { LogIngest } from "../../logs/ingest.js";
import { parseSamples } from "../../metrics/samples.js";
import type { MetricsService } from "../../metrics/service.js";
import { agentNode, parseReport, type AgentRegistry } from "../../nodecontainers/agents.js";
import { principal } from "../auth.js";
import { doc, json } from "./util.js";

export function agentRoutes(
  app: FastifyInstance,
  agents: AgentRegistry,
  ingest: LogIngest,
  metrics: MetricsService,
): void {
  const config = { agent: true };
  app.post(
    AGENT_ROUTES.status,
    {
      config,
      schema: doc(
        "nodes",
        "A node agent's report: unit containers, node checks and unit metrics (node token)",
      ),
    },
    async (req, reply) => {
      const node = agentNode(principal(req));
      const report = parseReport(req.body);
      const samples = parseSamples((req.body as { Metrics?: unknown }).Metrics);
      const found = await agents.report(node, report);
      await metrics.ingest(node, samples);
      return json(reply, found);
    },
  );
  app.get(
    AGENT_ROUTES.marks,
    { config, schema: doc("nodes", "Where a node agent resumes log collection, per unit (node token)") },
    async (req, reply) => json(reply, await ingest.marksFor(agentNode(principal(req)))),
  );
  app.post(
    AGENT_ROUTES.logs,
    { config, schema: doc("nodes", "Log lines of a node's unit containers (node token)") },
    async (req, reply) => {
      const node = agentNode(principal(req));
      return json(reply, await ingest.ingest(node, LogIngest.parseBatch(req.body)));
    },
  );
}
