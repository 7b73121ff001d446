// tsuru's event webhooks (/1.6/events/webhooks, JSON from go-tsuruclient), and Wharf's rotation of
// a hook's signing secret.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as hooks from "../../domain/services/webhooks.js";
import { BadRequestError } from "../../domain/errors.js";
import { principal } from "../auth.js";
import { doc, json, list, param } from "./util.js";

const NAME = { name: "webhook name" };

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new BadRequestError(`"${key}" must be a string.`);
  if (v.includes("\u0000")) throw new BadRequestError(`"${key}" contains a NUL character: remove it.`);
  return v;
}

function strings(o: Record<string, unknown>, key: string, where: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new BadRequestError(`"${where}${key}" must be a list of strings.`);
  return v as string[];
}

function bool(o: Record<string, unknown>, key: string, where = ""): boolean {
  const v = o[key];
  if (v === undefined || v === null || v === "") return false;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw new BadRequestError(`"${where}${key}" must be true or false.`);
}

/** go-tsuruclient's Webhook JSON (omitempty fields left out). */
function webhookInput(req: FastifyRequest): hooks.WebhookInput {
  const body = req.body;
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new BadRequestError("Send the webhook as a JSON object (Content-Type: application/json).");
  const o = body as Record<string, unknown>;
  const f = (o.event_filter ?? {}) as Record<string, unknown>;
  if (typeof f !== "object" || Array.isArray(f))
    throw new BadRequestError('"event_filter" must be an object.');
  const rawHeaders = (o.headers ?? {}) as Record<string, unknown>;
  if (typeof rawHeaders !== "object" || Array.isArray(rawHeaders))
    throw new BadRequestError('"headers" must be an object of header name to a list of values.');
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(rawHeaders)) {
    const values = typeof v === "string" ? [v] : v;
    if (!Array.isArray(values) || values.some((x) => typeof x !== "string"))
      throw new BadRequestError(`Header "${k.slice(0, 60)}" must be a list of strings.`);
    headers[k] = values as string[];
  }
  return {
    name: str(o, "name"),
    description: str(o, "description"),
    teamOwner: str(o, "team_owner"),
    eventFilter: {
      targetTypes: strings(f, "target_types", "event_filter."),
      targetValues: strings(f, "target_values", "event_filter."),
      kindTypes: strings(f, "kind_types", "event_filter."),
      kindNames: strings(f, "kind_names", "event_filter."),
      errorOnly: bool(f, "error_only", "event_filter."),
      successOnly: bool(f, "success_only", "event_filter."),
    },
    url: str(o, "url"),
    proxyUrl: str(o, "proxy_url"),
    headers,
    method: str(o, "method"),
    body: str(o, "body"),
    insecure: bool(o, "insecure"),
  };
}

export function webhookRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get(
    "/events/webhooks",
    { schema: doc("events", "Webhooks of your teams (204 when none)") },
    async (req, reply) => list(reply, await hooks.listWebhooks(ctx, principal(req))),
  );
  app.post(
    "/events/webhooks",
    {
      schema: doc("events", "Create a webhook (JSON); answers its signing secret, shown only now", {
        body: {
          name: "name",
          url: "http(s) URL",
          team_owner: "team",
          event_filter: "filter",
          method: "POST…",
        },
      }),
    },
    async (req, reply) => {
      const w = webhookInput(req);
      const secret = await hooks.createWebhook(ctx, principal(req), w);
      return json(reply, { name: w.name, signing_secret: secret }, 201);
    },
  );
  app.get(
    "/events/webhooks/:name",
    { schema: doc("events", "One webhook", { params: NAME }) },
    async (req, reply) => json(reply, await hooks.getWebhook(ctx, principal(req), param(req, "name"))),
  );
  app.put(
    "/events/webhooks/:name",
    { schema: doc("events", "Replace a webhook's settings (JSON, the whole hook)", { params: NAME }) },
    async (req, reply) => {
      await hooks.updateWebhook(ctx, principal(req), param(req, "name"), webhookInput(req));
      return reply.code(200).send();
    },
  );
  app.delete(
    "/events/webhooks/:name",
    { schema: doc("events", "Remove a webhook", { params: NAME }) },
    async (req, reply) => {
      await hooks.deleteWebhook(ctx, principal(req), param(req, "name"));
      return reply.code(200).send();
    },
  );
  app.post(
    "/events/webhooks/:name/secret",
    {
      schema: doc("events", "Wharf: a new signing secret for the webhook (shown only now)", { params: NAME }),
    },
    async (req, reply) =>
      json(reply, {
        name: param(req, "name"),
        signing_secret: await hooks.rotateWebhookSecret(ctx, principal(req), param(req, "name")),
      }),
  );
}
