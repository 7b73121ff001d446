// Roles, role permissions, role assignment, default roles and the permission catalogue.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as roles from "../../domain/services/roles.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

export function roleRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.post(
    "/roles",
    {
      schema: doc("roles", "Create a role", {
        body: { name: "name", context: "global|team|app|pool|...", description: "text" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await roles.createRole(ctx, principal(req), {
        name: i.str("name"),
        context: i.str("context"),
        description: i.str("description"),
      });
      return reply.code(201).send();
    },
  );
  app.get("/roles", { schema: doc("roles", "List roles") }, async (req, reply) =>
    json(reply, await roles.listRoles(ctx, principal(req))),
  );
  app.put(
    "/roles",
    {
      schema: doc("roles", "Update a role", {
        body: { name: "role", newName: "new name", description: "text", contextType: "context" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await roles.updateRole(ctx, principal(req), {
        name: i.str("name"),
        newName: i.str("newName"),
        description: i.str("description"),
        contextType: i.str("contextType"),
      });
      return reply.code(200).send();
    },
  );
  app.get(
    "/roles/:name",
    { schema: doc("roles", "Role info", { params: { name: "role" } }) },
    async (req, reply) => json(reply, await roles.roleInfo(ctx, principal(req), param(req, "name"))),
  );
  app.delete(
    "/roles/:name",
    { schema: doc("roles", "Remove a role", { params: { name: "role" } }) },
    async (req, reply) => {
      await roles.removeRole(ctx, principal(req), param(req, "name"));
      return reply.code(200).send();
    },
  );
  app.post(
    "/roles/:name/permissions",
    {
      schema: doc("roles", "Add permissions to a role", {
        params: { name: "role" },
        body: { permission: "repeated" },
      }),
    },
    async (req, reply) => {
      await roles.addRolePermissions(ctx, principal(req), param(req, "name"), input(req).list("permission"));
      return reply.code(200).send();
    },
  );
  app.delete(
    "/roles/:name/permissions/:permission",
    {
      schema: doc("roles", "Remove a permission from a role", {
        params: { name: "role", permission: "permission" },
      }),
    },
    async (req, reply) => {
      await roles.removeRolePermission(ctx, principal(req), param(req, "name"), param(req, "permission"));
      return reply.code(200).send();
    },
  );
  app.post(
    "/roles/:name/user",
    {
      schema: doc("roles", "Assign a role to a user", {
        params: { name: "role" },
        body: { email: "user", context: "context value" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await roles.assignRole(
        ctx,
        principal(req),
        param(req, "name"),
        { type: "user", id: i.str("email") },
        i.str("context"),
        false,
      );
      return reply.code(200).send();
    },
  );
  app.delete(
    "/roles/:name/user/:email",
    {
      schema: doc("roles", "Dissociate a role from a user", {
        params: { name: "role", email: "user" },
        query: { context: "context value" },
      }),
    },
    async (req, reply) => {
      await roles.assignRole(
        ctx,
        principal(req),
        param(req, "name"),
        { type: "user", id: param(req, "email") },
        input(req).str("context"),
        true,
      );
      return reply.code(200).send();
    },
  );
  app.post(
    "/roles/:name/token",
    {
      schema: doc("roles", "Assign a role to a team token", {
        params: { name: "role" },
        body: { token_id: "token", context: "context value" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await roles.assignRole(
        ctx,
        principal(req),
        param(req, "name"),
        { type: "token", id: i.str("token_id") },
        i.str("context"),
        false,
      );
      return reply.code(200).send();
    },
  );
  app.delete(
    "/roles/:name/token/:id",
    {
      schema: doc("roles", "Dissociate a role from a team token", {
        params: { name: "role", id: "token" },
        query: { context: "context value" },
      }),
    },
    async (req, reply) => {
      await roles.assignRole(
        ctx,
        principal(req),
        param(req, "name"),
        { type: "token", id: param(req, "id") },
        input(req).str("context"),
        true,
      );
      return reply.code(200).send();
    },
  );
  app.get("/role/default", { schema: doc("roles", "Default roles") }, async (req, reply) =>
    json(reply, await roles.listDefaultRoles(ctx, principal(req))),
  );
  const defaults = (add: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const i = input(req);
    await roles.changeDefaultRoles(
      ctx,
      principal(req),
      { "user-create": i.list("user-create"), "team-create": i.list("team-create") },
      add,
    );
    return reply.code(200).send();
  };
  app.post(
    "/role/default",
    { schema: doc("roles", "Add default roles", { body: { "user-create": "role", "team-create": "role" } }) },
    defaults(true),
  );
  app.delete(
    "/role/default",
    {
      schema: doc("roles", "Remove default roles", {
        query: { "user-create": "role", "team-create": "role" },
      }),
    },
    defaults(false),
  );
  app.get("/permissions", { schema: doc("roles", "Permission tree (root first)") }, async (_req, reply) =>
    json(reply, roles.permissionList()),
  );
}
