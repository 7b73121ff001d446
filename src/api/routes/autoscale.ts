// tsuru's unit autoscale routes (tsuru 1.9+, sent under /1.9/): GET /apps/{app}/units/autoscale
// lists the settings as AutoScaleSpec JSON, POST sets one (JSON {process, minUnits, maxUnits,
// averageCPU} as tsuru's client sends it, or a form), DELETE ?process= removes one. Wharf adds
// requestsPerUnit. The loop that applies them runs on the reconciler leader (src/autoscale).
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import { autoscaleInfo, setAutoscale, unsetAutoscale } from "../../autoscale/service.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

const SPEC = {
  type: "object",
  properties: {
    process: { type: "string" },
    minUnits: { type: "integer" },
    maxUnits: { type: "integer" },
    averageCPU: {
      type: "string",
      description: 'percent of one core ("60%") or milli-cores ("600m"); "" = none',
    },
    requestsPerUnit: { type: "number", description: "requests per second per unit; 0 = none (Wharf)" },
  },
};

export function autoscaleRoutes(app: FastifyInstance, ctx: Ctx): void {
  const path = "/apps/:app/units/autoscale";
  app.get(
    path,
    {
      schema: {
        ...doc("apps", "The app's unit autoscale settings, one per process", { params: { app: "app name" } }),
        response: { 200: { type: "array", items: SPEC } },
      },
    },
    async (req, reply) => json(reply, await autoscaleInfo(ctx, principal(req), param(req, "app"))),
  );
  app.post(
    path,
    {
      schema: doc(
        "apps",
        "Set a process's unit autoscale (min/max units, CPU and requests-per-unit targets)",
        {
          params: { app: "app name" },
          body: {
            process: "the process",
            minUnits: "at least 1",
            maxUnits: "at least minUnits, at most the app's unit quota",
            averageCPU: "60% or 600m",
            requestsPerUnit: "requests per second per unit",
          },
        },
      ),
    },
    async (req, reply) => {
      const i = input(req);
      await setAutoscale(ctx, principal(req), param(req, "app"), {
        process: i.str("process"),
        minUnits: i.str("minUnits"),
        maxUnits: i.str("maxUnits"),
        averageCPU: i.str("averageCPU"),
        requestsPerUnit: i.str("requestsPerUnit"),
      });
      return reply.code(200).send();
    },
  );
  app.delete(
    path,
    {
      schema: doc("apps", "Remove a process's unit autoscale", {
        params: { app: "app name" },
        query: { process: "the process" },
      }),
    },
    async (req, reply) => {
      await unsetAutoscale(ctx, principal(req), param(req, "app"), input(req).str("process"));
      return reply.code(200).send();
    },
  );
}
