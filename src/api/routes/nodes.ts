// tsuru's node routes. Node addresses appear raw in paths (`/node/https://10.0.0.5:2376`),
// slashes and colons included, so the address is the wildcard tail of the path.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import type { NodeConnector } from "../../domain/services/node-port.js";
import * as nodes from "../../domain/services/nodes.js";
import { principal } from "../auth.js";
import { jsonStream, wantsStream } from "../stream.js";
import { doc, input, json } from "./util.js";
import { NODE_INFO_SCHEMA } from "./read-schemas.js";

function addressParam(req: FastifyRequest): string {
  const raw = (req.params as Record<string, string>)["*"] ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function nodeRoutes(app: FastifyInstance, ctx: Ctx, connector: NodeConnector): void {
  app.get(
    "/node",
    { schema: doc("nodes", "Nodes in pools you may read (204 when none)") },
    async (req, reply) => {
      const list = await nodes.listNodes(ctx, connector, principal(req));
      if (list.length === 0) return reply.code(204).send();
      return json(reply, { nodes: list, machines: [] });
    },
  );

  app.post(
    "/node",
    {
      schema: doc("nodes", "Register a Docker engine as a node (x-json-stream)", {
        body: {
          "Metadata.pool": "pool (required)",
          "Metadata.address": "engine address with Register=true, e.g. https://10.0.0.5:2376",
          Address: "engine address",
          Register: "bool",
          CaCert: "PEM: the CA of the node's certificate (tsuru --cacert)",
          ClientCert: "PEM: a client certificate the node trusts (tsuru --clientcert)",
          ClientKey: "PEM: its key (tsuru --clientkey)",
          Insecure: "bool: allow plain http:// engines (Wharf; tsuru's client writes the address as http://)",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const form: nodes.AddNodeForm = {
        metadata: i.map("Metadata"),
        address: i.str("Address"),
        register: i.bool("Register"),
        insecure: i.bool("Insecure"),
        caCert: i.str("CaCert"),
        clientCert: i.str("ClientCert"),
        clientKey: i.str("ClientKey"),
      };
      // tsuru's server answers node-add with 201 (tsuru-api.md, POST /node).
      return jsonStream(reply, (out) => nodes.addNode(ctx, connector, principal(req), form, out), {
        status: 201,
      });
    },
  );

  app.put(
    "/node",
    {
      schema: doc(
        "nodes",
        "Update a node's pool, metadata (empty value removes a key), enable or disable it",
        {
          body: { Address: "node address", Disable: "bool", Enable: "bool", Pool: "pool" },
        },
      ),
    },
    async (req, reply) => {
      const i = input(req);
      await nodes.updateNode(ctx, connector, principal(req), {
        address: i.str("Address"),
        metadata: i.map("Metadata"),
        pool: i.str("Pool"),
        disable: i.bool("Disable"),
        enable: i.bool("Enable"),
      });
      return reply.code(200).send();
    },
  );

  app.get(
    "/node/*",
    {
      schema: {
        ...doc(
          "nodes",
          "A node with its health checks, units, what they reserve and the agent's last report",
        ),
        response: { 200: NODE_INFO_SCHEMA },
      },
    },
    async (req, reply) =>
      json(reply, await nodes.nodeInfo(ctx, connector, principal(req), addressParam(req))),
  );

  app.delete(
    "/node/*",
    {
      schema: doc(
        "nodes",
        "Unregister a node; its units move to other nodes first unless no-rebalance=true (x-json-stream)",
      ),
    },
    async (req, reply) => {
      const i = input(req);
      const opts = { noRebalance: i.bool("no-rebalance") };
      // tsuru's client reads only the status of node-remove: unless the caller asks for the
      // stream, a failed drain must be that status, so nothing is sent before the end.
      return jsonStream(
        reply,
        (out) => nodes.removeNode(ctx, connector, principal(req), addressParam(req), opts, out),
        { hold: !wantsStream(req) },
      );
    },
  );
}
