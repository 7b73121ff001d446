// Pools, pool teams and pool constraints.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as pools from "../../domain/services/pools.js";
import { principal } from "../auth.js";
import { doc, input, json, list, param } from "./util.js";

export function poolRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/pools",
    { schema: doc("pools", "Pools your teams may use (204 when none)") },
    async (req, reply) => list(reply, await pools.visiblePools(ctx, principal(req))),
  );
  app.post(
    "/pools",
    {
      schema: doc("pools", "Add a pool (412 when a default exists and force is false)", {
        body: { name: "pool", public: "bool", default: "bool", force: "bool", provisioner: "name" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await pools.addPool(ctx, principal(req), {
        name: i.str("name"),
        public: i.bool("public"),
        default: i.bool("default"),
        force: i.bool("force"),
        provisioner: i.str("provisioner"),
      });
      return reply.code(201).send();
    },
  );
  app.put(
    "/pools/:pool",
    {
      schema: doc("pools", "Update a pool", {
        params: { pool: "pool" },
        body: {
          public: "bool or empty",
          default: "bool or empty",
          force: "bool",
          "image-allowlist": "external image patterns (repeat the field); one empty value clears the list",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await pools.updatePool(ctx, principal(req), param(req, "pool"), {
        public: i.boolOrNull("public"),
        default: i.boolOrNull("default"),
        force: i.bool("force"),
        imageAllowList: i.has("image-allowlist") ? i.list("image-allowlist").filter(Boolean) : null,
      });
      return reply.code(200).send();
    },
  );
  app.delete(
    "/pools/:pool",
    { schema: doc("pools", "Remove a pool", { params: { pool: "pool" } }) },
    async (req, reply) => {
      await pools.removePool(ctx, principal(req), param(req, "pool"));
      return reply.code(200).send();
    },
  );
  app.post(
    "/pools/:pool/team",
    {
      schema: doc("pools", "Allow teams on a pool", { params: { pool: "pool" }, body: { team: "repeated" } }),
    },
    async (req, reply) => {
      await pools.changePoolTeams(ctx, principal(req), param(req, "pool"), input(req).list("team"), true);
      return reply.code(200).send();
    },
  );
  app.delete(
    "/pools/:pool/team",
    {
      schema: doc("pools", "Remove teams from a pool", {
        params: { pool: "pool" },
        query: { team: "repeated" },
      }),
    },
    async (req, reply) => {
      await pools.changePoolTeams(ctx, principal(req), param(req, "pool"), input(req).list("team"), false);
      return reply.code(200).send();
    },
  );
  app.get("/constraints", { schema: doc("pools", "Pool constraints") }, async (req, reply) =>
    json(reply, await pools.listConstraints(ctx, principal(req))),
  );
  app.put(
    "/constraints",
    {
      schema: doc("pools", "Set a pool constraint", {
        body: {
          PoolExpr: "glob",
          Field: "team|router|service|plan",
          Values: "Values.0, Values.1, ...",
          Blacklist: "bool",
          append: "bool",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await pools.setConstraint(ctx, principal(req), {
        poolExpr: i.str("PoolExpr"),
        field: i.str("Field"),
        values: i.list("Values"),
        blacklist: i.bool("Blacklist"),
        append: i.bool("append"),
      });
      return reply.code(200).send();
    },
  );
}
