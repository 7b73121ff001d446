// Plans, platforms, routers; plus the read-only stubs app-info depends on (volumes and
// service instances arrive in later issues, but the client aborts if they're missing).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as catalog from "../../domain/services/catalog.js";
import { principal } from "../auth.js";
import { jsonStream } from "../stream.js";
import { doc, input, json, list, param } from "./util.js";
import { ROUTERS_SCHEMA } from "./read-schemas.js";

export function catalogRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get("/plans", { schema: doc("plans", "List plans (204 when none)") }, async (_req, reply) =>
    list(reply, await catalog.listPlans(ctx)),
  );
  app.post(
    "/plans",
    {
      schema: doc("plans", "Create a plan", {
        body: {
          name: "plan",
          memory: "bytes or 128M/1G",
          swap: "bytes or 128M/1G",
          cpushare: "int",
          default: "bool",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await catalog.createPlan(ctx, principal(req), {
        name: i.str("name"),
        memory: i.str("memory"),
        swap: i.str("swap"),
        cpushare: i.str("cpushare"),
        default: i.bool("default"),
      });
      return reply.code(201).send();
    },
  );
  app.delete(
    "/plans/:name",
    { schema: doc("plans", "Remove a plan", { params: { name: "plan" } }) },
    async (req, reply) => {
      await catalog.removePlan(ctx, principal(req), param(req, "name"));
      return reply.code(200).send();
    },
  );

  app.get("/platforms", { schema: doc("platforms", "List platforms (204 when none)") }, async (req, reply) =>
    list(reply, await catalog.listPlatforms(ctx, principal(req))),
  );
  app.get(
    "/platforms/:name",
    { schema: doc("platforms", "Platform info and images", { params: { name: "platform" } }) },
    async (req, reply) => json(reply, await catalog.platformInfo(ctx, principal(req), param(req, "name"))),
  );
  app.post(
    "/platforms",
    {
      schema: doc("platforms", "Add a platform (multipart: name, dockerfile_content); streams", {
        body: { name: "platform", dockerfile_content: "Dockerfile" },
      }),
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      const i = input(req);
      const p = principal(req);
      return jsonStream(reply, (out) =>
        catalog.addPlatform(ctx, p, { name: i.str("name"), dockerfile: i.str("dockerfile_content") }, out),
      );
    },
  );
  app.put(
    "/platforms/:name",
    {
      schema: doc("platforms", "Update a platform (multipart: disabled, dockerfile_content); streams", {
        params: { name: "platform" },
        body: { disabled: "bool or empty" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      return jsonStream(reply, (out) =>
        catalog.updatePlatform(
          ctx,
          p,
          param(req, "name"),
          { disabled: i.boolOrNull("disabled"), dockerfile: i.str("dockerfile_content") },
          out,
        ),
      );
    },
  );
  app.delete(
    "/platforms/:name",
    { schema: doc("platforms", "Remove a platform", { params: { name: "platform" } }) },
    async (req, reply) => {
      await catalog.removePlatform(ctx, principal(req), param(req, "name"));
      return reply.code(200).send();
    },
  );

  app.get(
    "/routers",
    {
      schema: {
        ...doc("routers", "Routers (with the ports of the router this server runs)"),
        response: { 200: ROUTERS_SCHEMA },
      },
    },
    async (_req, reply) => json(reply, catalog.listRouters(ctx)),
  );
  app.get("/volumes", { schema: doc("volumes", "Volumes (none yet)") }, async (_req, reply) =>
    list(reply, []),
  );
}
