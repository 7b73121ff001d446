// tsuru's node container routes (reference §4.11): /docker/nodecontainers[/{name}[/upgrade]].
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import { specFromForm } from "../../nodecontainers/model.js";
import * as nc from "../../nodecontainers/service.js";
import { principal } from "../auth.js";
import { jsonStream } from "../stream.js";
import { doc, input, json, param } from "./util.js";

const FORM = {
  name: "node container name",
  pool: 'pool ("" = every pool)',
  "config.image": "image",
  "config.env.N": "NAME=value",
  "hostconfig.binds.N": "/host:/container[:ro]",
  "hostconfig.restartpolicy.name": "always | unless-stopped | on-failure | no",
  disabled: "true | false",
};

function form(req: FastifyRequest, name: string): nc.NodeContainerForm {
  const i = input(req);
  const disabled = i.boolOrNull("disabled");
  return {
    name,
    pool: i.str("pool"),
    spec: specFromForm(name, i.map("config"), i.map("hostconfig")),
    disabled,
  };
}

export function nodeContainerRoutes(app: FastifyInstance, ctx: Ctx, port: nc.NodeContainerPort): void {
  app.get(
    "/docker/nodecontainers",
    // [] when there are none: tsuru's client decodes the body of node-container-list, always.
    { schema: doc("nodes", "Node containers with their per-pool configs ([] when none)") },
    async (req, reply) => json(reply, await nc.listNodeContainers(ctx, principal(req))),
  );
  app.post(
    "/docker/nodecontainers",
    { schema: doc("nodes", "Add a node container (run on every node of the pool)", { body: FORM }) },
    async (req, reply) => {
      await nc.addNodeContainer(ctx, port, principal(req), form(req, input(req).str("name")));
      return reply.code(200).send();
    },
  );
  app.get(
    "/docker/nodecontainers/:name",
    { schema: doc("nodes", "A node container's config per pool", { params: { name: "node container" } }) },
    async (req, reply) => json(reply, await nc.nodeContainerInfo(ctx, principal(req), param(req, "name"))),
  );
  app.post(
    "/docker/nodecontainers/:name",
    {
      schema: doc("nodes", "Update a node container's entry for a pool", {
        params: { name: "node container" },
        body: FORM,
      }),
    },
    async (req, reply) => {
      await nc.updateNodeContainer(ctx, port, principal(req), form(req, param(req, "name")));
      return reply.code(200).send();
    },
  );
  app.delete(
    "/docker/nodecontainers/:name",
    {
      schema: doc("nodes", "Remove a node container (its containers leave the nodes)", {
        params: { name: "node container" },
        query: { pool: "only this pool's entry", kill: "accepted; containers are always removed" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      i.bool("kill");
      const p = principal(req);
      return jsonStream(reply, async (out) => {
        await nc.removeNodeContainer(ctx, port, p, param(req, "name"), i.str("pool"));
        out("Node container removed: its containers leave the nodes within seconds.\n");
      });
    },
  );
  app.post(
    "/docker/nodecontainers/:name/upgrade",
    {
      schema: doc("nodes", "Pull the image again and recreate the containers (x-json-stream)", {
        params: { name: "node container" },
        body: { pool: 'pool ("" = all)' },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      return jsonStream(reply, (out) =>
        nc.upgradeNodeContainer(ctx, port, p, param(req, "name"), i.str("pool"), out),
      );
    },
  );
}
