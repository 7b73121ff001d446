// tsuru's app routers (/1.5/apps/{app}/routers) and app-routes-rebuild (/apps/{app}/routes).
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as routers from "../../domain/services/app-routers.js";
import { principal } from "../auth.js";
import { doc, input, json, list, param } from "./util.js";

const APP = { app: "app name" };
const BODY = { Name: "router", "Opts.<k>": "router option" };

export function appRouterRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/apps/:app/routers",
    { schema: doc("apps", "The app's routers (204 when none)", { params: APP }) },
    async (req, reply) => list(reply, await routers.listAppRouters(ctx, principal(req), param(req, "app"))),
  );
  app.post(
    "/apps/:app/routers",
    { schema: doc("apps", "Add a router to the app", { params: APP, body: BODY }) },
    async (req, reply) => {
      const i = input(req);
      await routers.addAppRouter(ctx, principal(req), param(req, "app"), i.str("Name").trim(), i.map("Opts"));
      return reply.code(200).send();
    },
  );
  app.put(
    "/apps/:app/routers/:router",
    {
      schema: doc("apps", "Change the options of one of the app's routers", {
        params: { ...APP, router: "router" },
        body: BODY,
      }),
    },
    async (req, reply) => {
      await routers.updateAppRouter(
        ctx,
        principal(req),
        param(req, "app"),
        param(req, "router"),
        input(req).map("Opts"),
      );
      return reply.code(200).send();
    },
  );
  app.delete(
    "/apps/:app/routers/:router",
    { schema: doc("apps", "Remove a router from the app", { params: { ...APP, router: "router" } }) },
    async (req, reply) => {
      await routers.removeAppRouter(ctx, principal(req), param(req, "app"), param(req, "router"));
      return reply.code(200).send();
    },
  );
  app.post(
    "/apps/:app/routes",
    { schema: doc("apps", "Rebuild the app's routes: a map of router to {Added, Removed}", { params: APP }) },
    async (req, reply) => json(reply, await routers.rebuildRoutes(ctx, principal(req), param(req, "app"))),
  );
}
