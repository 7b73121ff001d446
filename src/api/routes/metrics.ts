// GET /apps/{app}/metrics: the app's router and unit series of the last hour at 10 s steps
// (src/metrics). The response schema documents the shape the dashboard and the CLI read.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import { readAppMetrics } from "../../metrics/app-metrics.js";
import { SERIES_HELP, SERIES_NAMES } from "../../metrics/names.js";
import type { MetricsService } from "../../metrics/service.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

const RESPONSE = {
  type: "object",
  required: ["step", "series"],
  properties: {
    step: { type: "integer", description: "seconds per point (10)" },
    series: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "process", "unit", "points"],
        properties: {
          name: {
            type: "string",
            enum: [...SERIES_NAMES],
            description: SERIES_NAMES.map((n) => `${n}: ${SERIES_HELP[n]}`).join("; "),
          },
          process: { type: "string" },
          unit: { type: "string", description: "the unit id; empty for router series" },
          points: {
            type: "array",
            description: "[unix seconds of the step's start, value], oldest first; missing steps are gaps",
            items: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2 },
          },
        },
      },
    },
  },
};

export function metricRoutes(app: FastifyInstance, ctx: Ctx, metrics: MetricsService): void {
  const schema = doc("apps", "An app's metrics of the last hour at 10 s steps (routers and units)", {
    params: { app: "app name" },
    query: {
      process: "only this process's series",
      since: "unix seconds, RFC 3339 time or a duration back from now (15m); default 1h",
    },
  });
  app.get(
    "/apps/:app/metrics",
    { schema: { ...schema, response: { 200: RESPONSE } } },
    async (req, reply) => {
      const i = input(req);
      const out = await readAppMetrics(ctx, metrics, principal(req), param(req, "app"), {
        process: i.str("process"),
        since: i.str("since"),
      });
      return json(reply, out);
    },
  );
}
