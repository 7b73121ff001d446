// Small helpers shared by the route files: input access, 204-for-empty lists and
// schema snippets for the OpenAPI document.
import type { FastifyReply, FastifyRequest } from "fastify";
import { Input } from "../input.js";
import { BadRequestError } from "../../domain/errors.js";

export function input(req: FastifyRequest): Input {
  return new Input(req.body, req.query);
}

export function param(req: FastifyRequest, name: string): string {
  const v = (req.params as Record<string, string>)[name] ?? "";
  // PostgreSQL refuses NUL in text: a client mistake must be a 400 there too, not a 5xx.
  if (v.includes("\u0000"))
    throw new BadRequestError(`The ${name} in the URL contains a NUL character: remove it.`);
  return v;
}

/** tsuru answers 204 with no body for empty lists; clients treat it as "nothing". */
export function list(reply: FastifyReply, items: unknown[]): FastifyReply {
  if (items.length === 0) return reply.code(204).send();
  return reply.code(200).type("application/json; charset=utf-8").send(JSON.stringify(items));
}

/** http://HOST[:PORT] as this request reached the API, for URLs handed back (git remotes); "" when the Host header is odd. */
export function requestBaseUrl(req: FastifyRequest): string {
  const host = String(req.headers.host ?? "");
  if (!/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return "";
  return `${req.protocol}://${host}`;
}

export function json(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  // Encode here: fastify would send a bare string unquoted (token-show needs a JSON string).
  return reply.code(status).type("application/json; charset=utf-8").send(JSON.stringify(body));
}

const FORM = ["application/x-www-form-urlencoded", "multipart/form-data", "application/json"];

type Fields = Record<string, string>;

function props(fields: Fields): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, d]) => [k, { type: "string", description: d }]));
}

/** OpenAPI schema for a route: summary, tag, path params, query and form fields. */
export function doc(
  tag: string,
  summary: string,
  o: { params?: Fields; query?: Fields; body?: Fields; responds?: string; auth?: boolean } = {},
): Record<string, unknown> {
  const s: Record<string, unknown> = { summary, tags: [tag] };
  if (o.params) s.params = { type: "object", properties: props(o.params), required: Object.keys(o.params) };
  if (o.query) s.querystring = { type: "object", properties: props(o.query) };
  if (o.body) {
    s.body = { type: "object", properties: props(o.body) };
    s.consumes = FORM;
  }
  if (o.responds) s.description = o.responds;
  if (o.auth === false) s.security = [];
  return s;
}
