// tsuru's event blocks: /events/blocks (client 1.7 sends /1.3/...).
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as blocks from "../../domain/services/event-blocks.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

export function eventBlockRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/events/blocks",
    {
      schema: doc("events", "Event blocks, newest first (only active ones with active=true)", {
        query: { active: "bool" },
      }),
    },
    // tsuru's client decodes only a 200: an empty list is [].
    async (req, reply) =>
      json(reply, await blocks.listBlocks(ctx, principal(req), input(req).bool("active"))),
  );
  app.post(
    "/events/blocks",
    {
      schema: doc("events", "Block events of a kind (prefix), owner and target, with a reason", {
        body: {
          Reason: "why (required)",
          KindName: "kind or prefix (app.deploy); empty = every kind",
          OwnerName: "user email or token id; empty = everyone",
          "Target.Type": "target type; empty = every target",
          "Target.Value": "target name; empty = every target of the type",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const out = await blocks.addBlock(ctx, principal(req), {
        reason: i.str("Reason"),
        kindName: i.str("KindName").trim(),
        ownerName: i.str("OwnerName").trim(),
        targetType: i.str("Target.Type").trim(),
        targetValue: i.str("Target.Value").trim(),
      });
      return json(reply, out);
    },
  );
  app.delete(
    "/events/blocks/:uuid",
    { schema: doc("events", "Lift an event block", { params: { uuid: "24-hex block id" } }) },
    async (req, reply) => {
      await blocks.removeBlock(ctx, principal(req), param(req, "uuid"));
      return reply.code(200).send();
    },
  );
}
