// tsuru's key-add/list/remove: /users/keys.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as keys from "../../domain/services/user-keys.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

export function keyRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/users/keys",
    { schema: doc("users", "Your SSH public keys: a map of name to key") },
    async (req, reply) => json(reply, await keys.listKeys(ctx, principal(req))),
  );
  app.post(
    "/users/keys",
    {
      schema: doc("users", "Add an SSH public key (409 when the name or key exists, unless force)", {
        body: { name: "key name", key: "public key line", force: "bool: replace" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await keys.addKey(ctx, principal(req), {
        name: i.str("name"),
        key: i.str("key"),
        force: i.bool("force"),
      });
      return reply.code(200).send();
    },
  );
  app.delete(
    "/users/keys/:key",
    { schema: doc("users", "Remove one of your SSH keys", { params: { key: "key name" } }) },
    async (req, reply) => {
      await keys.removeKey(ctx, principal(req), param(req, "key"));
      return reply.code(200).send();
    },
  );
}
