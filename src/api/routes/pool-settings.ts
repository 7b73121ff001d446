// tsuru's per-pool settings: Docker log drivers (/docker/logs) and node healing (/healing/node),
// and the healer's history (/healing).
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import type { HealingConfig } from "../../domain/healing.js";
import * as logs from "../../domain/services/pool-logs.js";
import * as healing from "../../domain/services/pool-healing.js";
import { principal } from "../auth.js";
import { jsonStream } from "../stream.js";
import { doc, input, json } from "./util.js";

export function poolSettingsRoutes(app: FastifyInstance, ctx: Ctx, healingDefaults: HealingConfig): void {
  app.get(
    "/docker/logs",
    { schema: doc("pools", 'Log driver per pool ("" = every pool)') },
    async (req, reply) => json(reply, await logs.logSettings(ctx, principal(req))),
  );
  app.post(
    "/docker/logs",
    {
      schema: doc("pools", "Set a pool's log driver (x-json-stream)", {
        body: {
          pool: 'pool ("" = every pool)',
          Driver: "json-file, syslog, …",
          "LogOpts.<k>": "option",
          restart: "bool",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const f = {
        pool: i.str("pool"),
        driver: i.str("Driver").trim(),
        opts: i.map("LogOpts"),
        restart: i.bool("restart"),
      };
      return jsonStream(reply, (out) => logs.setLogSettings(ctx, p, f, out));
    },
  );
  app.get(
    "/healing/node",
    { schema: doc("nodes", 'Node healer settings per pool ("" = the defaults), in seconds') },
    async (req, reply) => json(reply, await healing.healingInfo(ctx, principal(req), healingDefaults)),
  );
  app.post(
    "/healing/node",
    {
      schema: doc("nodes", "Change node healer settings (fields left out stay)", {
        body: {
          pool: 'pool ("" = the defaults)',
          Enabled: "bool",
          MaxUnresponsiveTime: "s",
          MaxTimeSinceSuccess: "s",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const opt = (k: string) => (i.has(k) && i.str(k) !== "" ? i.str(k) : null);
      await healing.updateHealing(ctx, principal(req), {
        pool: i.str("pool"),
        enabled: i.boolOrNull("Enabled"),
        maxUnresponsive: opt("MaxUnresponsiveTime"),
        maxSinceSuccess: opt("MaxTimeSinceSuccess"),
      });
      return reply.code(200).send();
    },
  );
  app.delete(
    "/healing/node",
    {
      schema: doc("nodes", "Make node healer settings inherited again (all of a pool's without name)", {
        query: { pool: "pool", name: "repeated: Enabled, MaxUnresponsiveTime, MaxTimeSinceSuccess" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await healing.deleteHealing(ctx, principal(req), i.str("pool"), i.list("name"));
      return reply.code(200).send();
    },
  );
  app.get(
    "/healing",
    {
      schema: doc("nodes", "What the healer did, newest first", {
        query: { filter: "node | container | empty" },
      }),
    },
    // tsuru's client decodes only a 200: an empty history is [].
    async (req, reply) =>
      json(reply, await healing.healingList(ctx, principal(req), input(req).str("filter"))),
  );
}
