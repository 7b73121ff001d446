// Events: list (tsuru's filters) and info.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as events from "../../domain/services/event-list.js";
import { principal } from "../auth.js";
import { doc, input, json, list, param } from "./util.js";

export function eventRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/events",
    {
      schema: doc("events", "List events you may see, newest first (204 when none)", {
        query: {
          kindname: "repeated",
          "target.type": "app, team, pool, ...",
          "target.value": "name",
          ownername: "email",
          running: "bool",
          erroronly: "bool",
          since: "RFC 3339",
          until: "RFC 3339",
          limit: "int",
          skip: "int",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const out = await events.listEvents(ctx, principal(req), {
        kindNames: i.list("kindname"),
        targetType: i.str("target.type"),
        targetValue: i.str("target.value"),
        ownerName: i.str("ownername"),
        running: i.boolOrNull("running"),
        errorOnly: i.bool("erroronly"),
        since: i.date("since"),
        until: i.date("until"),
        limit: i.int("limit", 100),
        skip: i.int("skip", 0),
      });
      return list(reply, out);
    },
  );
  app.get(
    "/events/:uuid",
    { schema: doc("events", "Event info", { params: { uuid: "24-hex event id" } }) },
    async (req, reply) => json(reply, await events.eventInfo(ctx, principal(req), param(req, "uuid"))),
  );
  app.post(
    "/events/:uuid/cancel",
    {
      schema: doc("events", "Ask a running event to cancel (204)", {
        params: { uuid: "event id" },
        body: { reason: "why" },
      }),
    },
    async (req, reply) => {
      await events.cancelEvent(ctx, principal(req), param(req, "uuid"), input(req).str("reason"));
      return reply.code(204).send();
    },
  );
}
