// tsuru's service routes (reference §4.10): services from manifests, their doc and teams,
// service instances, binds (streamed) and OSB brokers (/1.7/brokers).
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as admin from "../../domain/services/service-admin.js";
import * as brokers from "../../domain/services/service-brokers.js";
import * as instances from "../../domain/services/service-instances.js";
import * as binds from "../../domain/services/service-binds.js";
import * as lists from "../../domain/services/service-list.js";
import { changeInstanceTeam } from "../../domain/services/service-instance-teams.js";
import { principal } from "../auth.js";
import type { Input } from "../input.js";
import { jsonStream } from "../stream.js";
import { doc, input, json, list, param } from "./util.js";

const SVC = { service: "service name (or broker::service)" };
const INST = { ...SVC, instance: "instance name" };
const MANIFEST = { id: "name", username: "user", password: "secret", endpoint: "URL", team: "owner team" };

function manifest(i: Input): admin.ServiceManifest {
  return {
    id: i.str("id"),
    username: i.str("username"),
    password: i.str("password"),
    endpoint: i.str("endpoint"),
    team: i.str("team"),
  };
}

function brokerInput(i: Input, name: string): brokers.BrokerInput {
  const auth = "Config.AuthConfig";
  return {
    name,
    url: i.str("URL"),
    username: i.str(`${auth}.BasicAuthConfig.username`),
    password: i.str(`${auth}.BasicAuthConfig.password`),
    token: i.str(`${auth}.BearerConfig.token`),
    insecure: i.bool("Config.Insecure"),
    context: i.map("Config.Context"),
    cacheSeconds: i.int("Config.CacheExpirationSeconds", 0),
  };
}

const text = (reply: import("fastify").FastifyReply, body: string) =>
  reply.code(200).type("text/plain; charset=utf-8").send(body);

export function serviceRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/services/instances",
    {
      schema: doc("services", "Services with the instances you may see (204 when none)", {
        query: { app: "app" },
      }),
    },
    async (req, reply) => list(reply, await lists.listServices(ctx, principal(req), input(req).str("app"))),
  );
  app.get(
    "/services",
    { schema: doc("services", "The services you administer, with all their instances ([] when none)") },
    // tag-list decodes this body whatever the status: an empty list is [], never 204.
    async (req, reply) => json(reply, await lists.listOwnedServices(ctx, principal(req))),
  );
  app.post(
    "/services",
    { schema: doc("services", "Register a service API", { body: MANIFEST }) },
    async (req, reply) => {
      await admin.createService(ctx, principal(req), manifest(input(req)));
      return reply.code(201).send();
    },
  );
  app.put(
    "/services/:service",
    { schema: doc("services", "Update a service API", { params: SVC, body: MANIFEST }) },
    async (req, reply) => {
      await admin.updateService(ctx, principal(req), param(req, "service"), manifest(input(req)));
      return reply.code(200).send();
    },
  );
  app.delete(
    "/services/:service",
    { schema: doc("services", "Remove a service", { params: SVC }) },
    async (req, reply) => {
      await admin.removeService(ctx, principal(req), param(req, "service"));
      return reply.code(200).send();
    },
  );
  app.get(
    "/services/:service",
    { schema: doc("services", "Instances with info", { params: SVC }) },
    async (req, reply) => json(reply, await lists.serviceInfo(ctx, principal(req), param(req, "service"))),
  );
  app.get(
    "/services/:service/plans",
    { schema: doc("services", "Plans", { params: SVC }) },
    async (req, reply) => json(reply, await admin.listPlans(ctx, principal(req), param(req, "service"))),
  );
  app.get(
    "/services/:service/doc",
    { schema: doc("services", "Documentation", { params: SVC }) },
    async (req, reply) => text(reply, await admin.getDoc(ctx, principal(req), param(req, "service"))),
  );
  app.put(
    "/services/:service/doc",
    { schema: doc("services", "Set the documentation", { params: SVC, body: { doc: "text" } }) },
    async (req, reply) => {
      await admin.setDoc(ctx, principal(req), param(req, "service"), input(req).str("doc"));
      return reply.code(200).send();
    },
  );
  for (const [method, grant] of [
    ["PUT", true],
    ["DELETE", false],
  ] as const)
    app.route({
      method,
      url: "/services/:service/team/:team",
      schema: doc("services", grant ? "Grant a team access" : "Revoke a team's access", {
        params: { ...SVC, team: "team" },
      }),
      handler: async (req, reply) => {
        await admin.changeServiceTeam(ctx, principal(req), param(req, "service"), param(req, "team"), grant);
        return reply.code(200).send();
      },
    });

  for (const [method, grant] of [
    ["PUT", true],
    ["DELETE", false],
  ] as const)
    app.route({
      method,
      url: "/services/:service/instances/permission/:instance/:team",
      schema: doc(
        "services",
        grant ? "Grant a team access to an instance" : "Revoke a team's access to an instance",
        {
          params: { ...INST, team: "team" },
        },
      ),
      handler: async (req, reply) => {
        await changeInstanceTeam(
          ctx,
          principal(req),
          param(req, "service"),
          param(req, "instance"),
          param(req, "team"),
          grant,
        );
        return reply.code(200).send();
      },
    });

  app.post(
    "/services/:service/instances",
    {
      schema: doc("services", "Create an instance", {
        params: SVC,
        body: {
          name: "instance",
          plan: "plan",
          owner: "team",
          description: "text",
          tag: "repeated",
          "parameters.K": "V",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await instances.createInstance(ctx, principal(req), param(req, "service"), {
        name: i.str("name"),
        plan: i.str("plan"),
        teamOwner: i.str("owner"),
        description: i.str("description"),
        tags: i.list("tag"),
        parameters: i.map("parameters"),
      });
      return reply.code(201).send();
    },
  );
  app.put(
    "/services/:service/instances/:instance",
    {
      schema: doc("services", "Update an instance", {
        params: INST,
        body: { description: "text", plan: "plan", tag: "repeated", teamowner: "team" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const orNull = (k: string) => i.str(k) || null;
      await instances.updateInstance(ctx, principal(req), param(req, "service"), param(req, "instance"), {
        description: orNull("description"),
        plan: orNull("plan"),
        teamOwner: orNull("teamowner"),
        tags: i.list("tag").length ? i.list("tag") : null,
      });
      return reply.code(200).send();
    },
  );
  app.delete(
    "/services/:service/instances/:instance",
    {
      schema: doc("services", "Remove an instance; streams", {
        params: INST,
        query: {
          unbindall: "bool",
          ignoreerrors: "bool",
          purge: "bool (built-in services: delete the data)",
        },
      }),
    },
    async (req, reply) => {
      const p = principal(req);
      const i = input(req);
      const o = {
        unbindAll: i.bool("unbindall"),
        ignoreErrors: i.bool("ignoreerrors"),
        purge: i.bool("purge"),
      };
      return jsonStream(reply, (out) =>
        instances.removeInstance(ctx, p, param(req, "service"), param(req, "instance"), o, out),
      );
    },
  );
  app.get(
    "/services/:service/instances/:instance",
    { schema: doc("services", "Instance info", { params: INST }) },
    async (req, reply) =>
      json(
        reply,
        await instances.instanceInfo(ctx, principal(req), param(req, "service"), param(req, "instance")),
      ),
  );
  app.get(
    "/services/:service/instances/:instance/status",
    { schema: doc("services", "Instance status (plain text)", { params: INST }) },
    async (req, reply) =>
      text(
        reply,
        await instances.instanceStatus(ctx, principal(req), param(req, "service"), param(req, "instance")),
      ),
  );
  app.put(
    "/services/:service/instances/:instance/:app",
    {
      schema: doc("services", "Bind an app; streams", {
        params: { ...INST, app: "app" },
        body: { noRestart: "bool" },
      }),
    },
    async (req, reply) => {
      const p = principal(req);
      const noRestart = input(req).bool("noRestart");
      return jsonStream(reply, (out) =>
        binds.bindApp(
          ctx,
          p,
          param(req, "service"),
          param(req, "instance"),
          param(req, "app"),
          noRestart,
          out,
        ),
      );
    },
  );
  app.delete(
    "/services/:service/instances/:instance/:app",
    {
      schema: doc("services", "Unbind an app; streams", {
        params: { ...INST, app: "app" },
        query: { noRestart: "bool", force: "bool" },
      }),
    },
    async (req, reply) => {
      const p = principal(req);
      const i = input(req);
      const o = { noRestart: i.bool("noRestart"), force: i.bool("force") };
      return jsonStream(reply, (out) =>
        binds.unbindOne(ctx, p, param(req, "service"), param(req, "instance"), param(req, "app"), o, out),
      );
    },
  );

  app.get("/brokers", { schema: doc("services", "OSB brokers") }, async (req, reply) =>
    json(reply, { brokers: await brokers.listBrokers(ctx, principal(req)) }),
  );
  app.post("/brokers", { schema: doc("services", "Add an OSB broker (JSON)") }, async (req, reply) => {
    const i = input(req);
    await brokers.addBroker(ctx, principal(req), brokerInput(i, i.str("Name")));
    return reply.code(201).send();
  });
  app.put(
    "/brokers/:broker",
    { schema: doc("services", "Update an OSB broker (JSON)", { params: { broker: "name" } }) },
    async (req, reply) => {
      await brokers.updateBroker(
        ctx,
        principal(req),
        param(req, "broker"),
        brokerInput(input(req), param(req, "broker")),
      );
      return reply.code(200).send();
    },
  );
  app.delete(
    "/brokers/:broker",
    { schema: doc("services", "Remove an OSB broker", { params: { broker: "name" } }) },
    async (req, reply) => {
      await brokers.removeBroker(ctx, principal(req), param(req, "broker"));
      return reply.code(200).send();
    },
  );
}
