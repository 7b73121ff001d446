// Auth scheme, login/logout, users, passwords, API keys and user quotas.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import { login, logout } from "../../domain/services/auth.js";
import * as users from "../../domain/services/users.js";
import { resetPassword } from "../../domain/services/password-reset.js";
import { parseLimit } from "../../domain/quota.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

export function userRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/auth/scheme",
    { config: { auth: "none" }, schema: doc("auth", "Authentication scheme (native)", { auth: false }) },
    async (_req, reply) => json(reply, { name: "native", data: null }),
  );

  app.post(
    "/users/:email/tokens",
    {
      config: { auth: "none" },
      schema: doc("auth", "Log in: returns {token}", {
        params: { email: "user email" },
        body: { password: "password" },
        auth: false,
      }),
    },
    async (req, reply) => {
      const token = await login(ctx, param(req, "email"), input(req).str("password"), req.ip);
      return json(reply, { token });
    },
  );

  app.delete(
    "/users/tokens",
    { schema: doc("auth", "Log out (revokes the session token)") },
    async (req, reply) => {
      await logout(ctx, principal(req));
      return reply.code(200).send();
    },
  );

  app.post(
    "/users",
    {
      config: { auth: "optional" },
      schema: doc("users", "Create a user", { body: { email: "email", password: "password" } }),
    },
    async (req, reply) => {
      const i = input(req);
      await users.createUser(ctx, req.principal, i.str("email"), i.str("password"));
      return reply.code(201).send();
    },
  );

  app.delete(
    "/users",
    { schema: doc("users", "Remove a user (yourself by default)", { query: { user: "email" } }) },
    async (req, reply) => {
      await users.removeUser(ctx, principal(req), input(req).str("user"));
      return reply.code(200).send();
    },
  );

  app.get(
    "/users",
    {
      schema: doc("users", "List users", {
        query: { userEmail: "email", role: "role name", context: "role context value" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      return json(
        reply,
        await users.listUsers(ctx, principal(req), {
          email: i.str("userEmail"),
          role: i.str("role"),
          context: i.str("context"),
        }),
      );
    },
  );

  app.get(
    "/users/info",
    { schema: doc("users", "The calling user, with roles and permissions") },
    async (req, reply) => json(reply, await users.userInfo(ctx, principal(req))),
  );

  app.put(
    "/users/password",
    {
      schema: doc("users", "Change your password", {
        body: { old: "current", new: "new", confirm: "new again" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await users.changePassword(ctx, principal(req), {
        old: i.str("old"),
        new: i.str("new"),
        confirm: i.str("confirm"),
      });
      return reply.code(200).send();
    },
  );

  app.post(
    "/users/:email/password",
    {
      config: { auth: "none" },
      schema: doc(
        "users",
        "Reset a forgotten password in two steps: without token, mail a reset token; with it, mail a new password",
        { params: { email: "email" }, query: { token: "the mailed reset token" }, auth: false },
      ),
    },
    async (req, reply) => {
      await resetPassword(ctx, param(req, "email"), input(req).str("token"));
      return reply.code(200).send();
    },
  );

  app.get(
    "/users/api-key",
    {
      schema: doc("users", "Show your API key (one is made when you have none)", {
        query: { user: "email" },
      }),
    },
    async (req, reply) => json(reply, await users.showApiKey(ctx, principal(req), input(req).str("user"))),
  );
  app.post(
    "/users/api-key",
    {
      schema: doc("users", "Regenerate the API key (the old one stops working)", {
        query: { user: "email" },
      }),
    },
    async (req, reply) =>
      json(reply, await users.regenerateApiKey(ctx, principal(req), input(req).str("user"))),
  );

  app.get(
    "/users/:email/quota",
    { schema: doc("users", "User app quota", { params: { email: "email" } }) },
    async (req, reply) => json(reply, await users.getUserQuota(ctx, principal(req), param(req, "email"))),
  );
  app.put(
    "/users/:email/quota",
    {
      schema: doc("users", "Change a user's app quota", {
        params: { email: "email" },
        body: { limit: "integer, -1 unlimited" },
      }),
    },
    async (req, reply) => {
      await users.setUserQuota(ctx, principal(req), param(req, "email"), parseLimit(input(req).str("limit")));
      return reply.code(200).send();
    },
  );
}
