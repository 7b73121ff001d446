// Apps, app env, cnames, team access and the app units quota.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as apps from "../../domain/services/apps.js";
import * as cfg from "../../domain/services/app-config.js";
import * as placement from "../../domain/services/app-constraints.js";
import { parseLimit } from "../../domain/quota.js";
import { principal } from "../auth.js";
import { jsonStream } from "../stream.js";
import { sendError } from "../errors.js";
import { doc, input, json, param, requestBaseUrl } from "./util.js";
import { APP_LIST_SCHEMA } from "./read-schemas.js";

const APP = { app: "app name" };

export function appRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.post(
    "/apps",
    {
      schema: doc("apps", "Create an app; answers {status, repository_url, ip}", {
        body: {
          name: "app",
          platform: "platform[:version]",
          plan: "plan",
          pool: "pool",
          teamOwner: "team",
          description: "text",
          tag: "repeated",
          router: "router",
          "routeropts.<k>": "router option",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const out = await apps.createApp(
        ctx,
        principal(req),
        {
          name: i.str("name"),
          platform: i.str("platform"),
          plan: i.str("plan"),
          pool: i.str("pool"),
          teamOwner: i.str("teamOwner"),
          description: i.str("description"),
          tags: i.list("tag").concat(i.list("tags")),
          router: i.str("router"),
          routerOpts: i.map("routeropts"),
        },
        requestBaseUrl(req),
      );
      return json(reply, out, 201);
    },
  );
  app.get(
    "/apps",
    {
      schema: {
        ...doc("apps", "Apps you may read, each with its units (204 when none)", {
          query: {
            name: "substring",
            pool: "pool",
            platform: "platform",
            teamOwner: "team",
            owner: "email",
            tag: "repeated",
            locked: "bool",
            status: "unit status",
            simplified: "bool",
          },
        }),
        response: {
          200: APP_LIST_SCHEMA,
          204: { type: "null", description: "no app matches (a bare GET /apps answers [])" },
        },
      },
    },
    async (req, reply) => {
      const i = input(req);
      const body = await apps.listAppsJson(ctx, principal(req), {
        name: i.str("name"),
        pool: i.str("pool"),
        platform: i.str("platform"),
        teamOwner: i.str("teamOwner"),
        owner: i.str("owner"),
        tags: i.list("tag"),
        locked: i.bool("locked"),
        status: i.str("status"),
        simplified: i.bool("simplified"),
      });
      // tsuru's tag-list sends a bare GET /apps and decodes whatever comes back, so it gets []
      // (app-list always sends "/apps?…" and reads 204 as "no apps").
      if (body === null) return req.originalUrl.includes("?") ? reply.code(204).send() : json(reply, []);
      return reply.code(200).type("application/json; charset=utf-8").send(body);
    },
  );
  app.get("/apps/:app", { schema: doc("apps", "App info", { params: APP }) }, async (req, reply) =>
    reply
      .code(200)
      .type("application/json; charset=utf-8")
      .send(await apps.appInfoJson(ctx, principal(req), param(req, "app"), requestBaseUrl(req))),
  );
  app.put(
    "/apps/:app",
    {
      schema: doc("apps", "Update an app (empty fields are unchanged); streams", {
        params: APP,
        body: {
          description: "text",
          plan: "plan",
          pool: "pool",
          teamOwner: "team",
          platform: "platform",
          tag: "repeated",
          imageReset: "bool",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const f = {
        description: i.has("description") && i.str("description") !== "" ? i.str("description") : null,
        plan: i.str("plan"),
        pool: i.str("pool"),
        teamOwner: i.str("teamOwner"),
        platform: i.str("platform"),
        tags: i.list("tag").length || i.list("tags").length ? i.list("tag").concat(i.list("tags")) : null,
        imageReset: i.bool("imageReset"),
      };
      return jsonStream(reply, (out) => apps.updateApp(ctx, p, param(req, "app"), f, out));
    },
  );
  app.delete(
    "/apps/:app",
    { schema: doc("apps", "Remove an app; streams", { params: APP }) },
    async (req, reply) => {
      const p = principal(req);
      return jsonStream(reply, (out) => apps.removeApp(ctx, p, param(req, "app"), out));
    },
  );

  app.get(
    "/apps/:app/quota",
    { schema: doc("apps", "App units quota", { params: APP }) },
    async (req, reply) => json(reply, await cfg.getAppQuota(ctx, principal(req), param(req, "app"))),
  );
  app.put(
    "/apps/:app/quota",
    { schema: doc("apps", "Change the units quota", { params: APP, body: { limit: "int, -1 unlimited" } }) },
    async (req, reply) => {
      await cfg.setAppQuota(ctx, principal(req), param(req, "app"), parseLimit(input(req).str("limit")));
      return reply.code(200).send();
    },
  );

  app.put(
    "/apps/:app/teams/:team",
    { schema: doc("apps", "Grant a team access", { params: { ...APP, team: "team" } }) },
    async (req, reply) => {
      await cfg.grantTeam(ctx, principal(req), param(req, "app"), param(req, "team"));
      return reply.code(200).send();
    },
  );
  app.delete(
    "/apps/:app/teams/:team",
    { schema: doc("apps", "Revoke a team's access", { params: { ...APP, team: "team" } }) },
    async (req, reply) => {
      await cfg.revokeTeam(ctx, principal(req), param(req, "app"), param(req, "team"));
      return reply.code(200).send();
    },
  );

  app.get(
    "/apps/:app/env",
    {
      schema: doc("env", "Environment variables (private ones masked)", {
        params: APP,
        query: { env: "repeated name" },
      }),
    },
    async (req, reply) => {
      const out = await cfg.getEnv(ctx, principal(req), param(req, "app"), input(req).list("env"));
      return json(reply, out);
    },
  );
  app.post(
    "/apps/:app/env",
    {
      schema: doc("env", "Set environment variables; streams", {
        params: APP,
        body: { "Envs.N.Name": "name", "Envs.N.Value": "value", Private: "bool", NoRestart: "bool" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const envs = i.objects("Envs").map((o) => ({ name: o.name ?? "", value: o.value ?? "" }));
      const f = { envs, private: i.bool("Private"), noRestart: i.bool("NoRestart") };
      return jsonStream(reply, (out) => cfg.setEnv(ctx, p, param(req, "app"), f, out));
    },
  );
  app.delete(
    "/apps/:app/env",
    {
      schema: doc("env", "Unset environment variables; streams", {
        params: APP,
        query: { env: "repeated name", noRestart: "bool" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const noRestart = i.bool("noRestart");
      return jsonStream(reply, (out) =>
        cfg.unsetEnv(ctx, p, param(req, "app"), i.list("env"), out, noRestart),
      );
    },
  );

  app.post(
    "/apps/:app/cname",
    { schema: doc("apps", "Add cnames", { params: APP, body: { cname: "repeated" } }) },
    async (req, reply) => {
      await cfg.addCnames(ctx, principal(req), param(req, "app"), input(req).list("cname"));
      return reply.code(200).send();
    },
  );
  app.delete(
    "/apps/:app/cname",
    { schema: doc("apps", "Remove cnames", { params: APP, query: { cname: "repeated" } }) },
    async (req, reply) => {
      await cfg.removeCnames(ctx, principal(req), param(req, "app"), input(req).list("cname"));
      return reply.code(200).send();
    },
  );
  app.get(
    "/apps/:app/constraints",
    { schema: doc("apps", "Placement constraints of the app (Wharf)", { params: APP }) },
    async (req, reply) =>
      json(reply, { constraints: await placement.getConstraints(ctx, principal(req), param(req, "app")) }),
  );
  app.put(
    "/apps/:app/constraints",
    {
      schema: doc("apps", "Replace the app's placement constraints (Wharf)", {
        params: APP,
        body: { constraint: "repeated Swarm expression (zone==a); none clears them" },
      }),
    },
    async (req, reply) => {
      await placement.setConstraints(ctx, principal(req), param(req, "app"), input(req).list("constraint"));
      return reply.code(200).send();
    },
  );
  // tsuru 1.8 answers 410: locks are events now and end with their operation.
  app.delete(
    "/apps/:app/lock",
    { schema: doc("apps", "Unlock (gone: locks are events)", { params: APP }) },
    async (req, reply) => {
      await apps.visibleApp(ctx, principal(req), param(req, "app"), "app.admin.unlock");
      return sendError(
        reply,
        410,
        "app unlock is not available anymore: locks end with the running event (see tsuru event-list -r).",
      );
    },
  );
}
