// Teams and team tokens.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as teams from "../../domain/services/teams.js";
import * as tokens from "../../domain/services/tokens.js";
import { principal } from "../auth.js";
import { doc, input, json, list, param } from "./util.js";

export function teamRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get("/teams", { schema: doc("teams", "Teams you belong to (204 when none)") }, async (req, reply) =>
    list(reply, await teams.listTeams(ctx, principal(req))),
  );
  app.post(
    "/teams",
    { schema: doc("teams", "Create a team", { body: { name: "team name", tags: "tags" } }) },
    async (req, reply) => {
      const i = input(req);
      await teams.createTeam(ctx, principal(req), i.str("name"), i.list("tags").concat(i.list("tag")));
      return reply.code(201).send();
    },
  );
  app.put(
    "/teams/:team",
    {
      schema: doc("teams", "Rename a team or change its tags", {
        params: { team: "team" },
        body: { newname: "new name", tags: "tags" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const tags = i.has("tags") || i.list("tags").length ? i.list("tags") : null;
      await teams.updateTeam(ctx, principal(req), param(req, "team"), { newName: i.str("newname"), tags });
      return reply.code(200).send();
    },
  );
  app.delete(
    "/teams/:team",
    { schema: doc("teams", "Remove a team", { params: { team: "team" } }) },
    async (req, reply) => {
      await teams.removeTeam(ctx, principal(req), param(req, "team"));
      return reply.code(200).send();
    },
  );
  app.get(
    "/teams/:team",
    { schema: doc("teams", "Team info: users, pools, apps", { params: { team: "team" } }) },
    async (req, reply) => json(reply, await teams.teamInfo(ctx, principal(req), param(req, "team"))),
  );

  app.get(
    "/tokens",
    { schema: doc("tokens", "Team tokens you may see (204 when none)") },
    async (req, reply) => list(reply, await tokens.listTeamTokens(ctx, principal(req))),
  );
  app.post(
    "/tokens",
    {
      schema: doc("tokens", "Create a team token", {
        body: { token_id: "id", description: "text", expires_in: "seconds", team: "team" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const t = await tokens.createTeamToken(ctx, principal(req), {
        tokenId: i.str("token_id"),
        description: i.str("description"),
        expiresIn: i.int("expires_in", 0),
        team: i.str("team"),
      });
      return json(reply, t, 201);
    },
  );
  app.get(
    "/tokens/:id",
    { schema: doc("tokens", "Team token info", { params: { id: "token id" } }) },
    async (req, reply) => json(reply, await tokens.tokenInfo(ctx, principal(req), param(req, "id"))),
  );
  app.put(
    "/tokens/:id",
    {
      schema: doc("tokens", "Update a team token", {
        params: { id: "token id" },
        body: { regenerate: "bool", description: "text", expires_in: "seconds (<0 removes)" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const t = await tokens.updateTeamToken(ctx, principal(req), param(req, "id"), {
        regenerate: i.bool("regenerate"),
        description: i.has("description") ? i.str("description") : null,
        expiresIn: i.int("expires_in", 0),
      });
      return json(reply, t);
    },
  );
  app.delete(
    "/tokens/:id",
    { schema: doc("tokens", "Delete a team token", { params: { id: "token id" } }) },
    async (req, reply) => {
      await tokens.deleteTeamToken(ctx, principal(req), param(req, "id"));
      return reply.code(200).send();
    },
  );
}
