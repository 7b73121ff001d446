// The tsuru-compatible HTTP API: fastify with tsuru's routes answered bare and under
// any /1.x/ prefix, form/multipart/JSON bodies, plain-text errors, metrics, OpenAPI.
// HTTP only: the composition root (src/server/) builds the domain context and the deploy
// side, and passes them in.
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import type { Logger } from "pino";
import { pino } from "pino";
import type { WharfConfig } from "../config/config.js";
import { clearCaches, type Ctx } from "../domain/services/context.js";
import { errorHandler, sendError } from "./errors.js";
import { BadRequestError } from "../domain/errors.js";
import { authHook } from "./auth.js";
import { createMetrics } from "./metrics.js";
import { registerRoutes } from "./routes/index.js";
import { registerDashboard } from "./dashboard.js";
import type { NodeConnector } from "../domain/services/node-port.js";
import type { DeployCtx } from "../deploy/context.js";
import { deployRoutes } from "./routes/deploys.js";
import { SpooledFile, spoolFilePart } from "./upload-spool.js";
import { dockerRoutes } from "./routes/docker.js";
import type { EndpointInfo as DockerEndpointInfo } from "../dockerapi/service.js";

export interface ApiDeps {
  ctx: Ctx;
  config: WharfConfig;
  logger: Logger;
  /** Serves tsuru's node routes when given (the cluster side: src/cluster/nodes). */
  nodeConnector?: NodeConnector;
  /** With a cluster: deploys, units and builds are served. */
  deploy: DeployCtx | null;
  /** The Docker-API endpoint's CA and address, for its routes (null when it is off). */
  dockerEndpoint: DockerEndpointInfo | null;
}

/** Strip a leading /<digits and dots> version segment: /1.0/apps → /apps. */
export function stripVersion(url: string): string {
  const out = url.replace(/^\/\d+(?:\.\d+)*(?=\/|\?|$)/, "");
  return out === "" || out.startsWith("?") ? `/${out}` : out;
}

/** Query parameters whose values must never reach logs. */
const SECRET_PARAMS = /([?&](?:token|password|key|new|old|confirm)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, "$1[REDACTED]");
}

/** Log only method, path (secret query values redacted) and address: never bodies or headers. */
const reqSerializer = (req: { method: string; url: string; ip?: string }) => ({
  method: req.method,
  url: redactUrl(req.url),
  remoteAddress: req.ip,
});

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const opts = {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "headers.authorization",
        "password",
        "token",
        "*.password",
        "*.token",
        "*.value",
        "*.envs",
      ],
      censor: "[REDACTED]",
    },
    serializers: { req: reqSerializer },
  };
  return destination ? pino(opts, destination) : pino(opts);
}

/** Which cached reads a mutation on `url` may invalidate (see clearCaches). */
function cacheScope(url: string): "apps" | "all" {
  return url.startsWith("/apps") ? "apps" : "all";
}

/** One registered route as fastify knows it (url with :params and * wildcards). */
export interface RouteEntry {
  method: string;
  url: string;
}

export type Api = FastifyInstance & {
  /** The API's Prometheus metrics (node agents add theirs to the same registry). */
  metrics: ReturnType<typeof createMetrics>;
  /** Every route registered (HEAD twins of GET routes left out): tests check coverage against it. */
  routeTable: readonly RouteEntry[];
};

/** The fastify app with every route; the caller adds its own (node agents), then readies it. */
export async function createApi(deps: ApiDeps): Promise<Api> {
  const { ctx, config, logger, deploy } = deps;
  const store = ctx.store;
  const metrics = createMetrics();
  const app = Fastify({
    // A caller's logger gets the same request serializer, so secrets in URLs never get out.
    loggerInstance: logger.child({}, { serializers: { req: reqSerializer } }),
    bodyLimit: config.bodyLimit,
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    trustProxy: false,
    rewriteUrl: (req: { url?: string }) => stripVersion(req.url ?? "/"),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  // Validation lives in the domain (sentences, case-insensitive tsuru forms); schemas
  // document the API. Responses are serialized as-is so no field is ever dropped.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(errorHandler(config.bodyLimit));
  app.setNotFoundHandler((req, reply) =>
    sendError(
      reply,
      404,
      `Not found: ${req.method} ${redactUrl(req.url).split("?")[0]!.slice(0, 200)} is not a Wharf API route.`,
    ),
  );
  app.decorateRequest("principal", null);
  const routeTable: RouteEntry[] = [];
  app.addHook("onRoute", (r) => {
    for (const method of [r.method].flat()) if (method !== "HEAD") routeTable.push({ method, url: r.url });
  });

  await app.register(formbody, { bodyLimit: config.bodyLimit });
  await app.register(multipart, {
    limits: {
      fileSize: config.uploadLimit,
      files: 4,
      fields: 1000,
      fieldSize: config.bodyLimit,
      parts: 1004,
    },
  });
  // Multipart fields and files become req.body here rather than with attachFieldsToBody,
  // which never settles on a truncated body; parts() reports it as an error instead.
  app.addHook("preValidation", async (req, reply) => {
    if (!req.isMultipart()) return;
    type Value = string | Buffer | SpooledFile;
    const body: Record<string, Value | Value[]> = {};
    const spoolDir = deploy?.settings.tmpDir;
    try {
      for await (const part of req.parts()) {
        const v =
          part.type !== "file"
            ? String(part.value ?? "")
            : part.fieldname === "file" && spoolDir && req.routeOptions.url === DEPLOY_ROUTE
              ? await spooled(reply, await spoolFilePart(part, spoolDir))
              : await part.toBuffer();
        const cur = body[part.fieldname];
        body[part.fieldname] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
      }
    } catch (e) {
      const code = (e as { code?: string }).code ?? "";
      if (code.startsWith("FST_")) throw e;
      throw new BadRequestError(
        `Malformed multipart body (${(e as Error).message}): send complete multipart/form-data parts.`,
      );
    }
    req.body = body;
  });
  // Anything else (text/plain, XML, ...) is refused with 415 by fastify's default handling.
  await app.register(swagger, {
    openapi: {
      info: { title: "Wharf API (tsuru-compatible)", version: "1.0.1" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("supported-tsuru", "1.0.1");
    if (req.method !== "GET") clearCaches(ctx, cacheScope(req.url));
  });
  // fastify times every reply and runs onResponse on the raw "finish", hijacked
  // (x-json-stream) replies included, so no per-request listener or clock is needed here.
  app.addHook("onResponse", async (req, reply) => {
    metrics.observe(req.method, req.routeOptions.url ?? "unmatched", reply.raw.statusCode, reply.elapsedTime);
    // Any mutation may revoke tokens, change roles or apps: drop cached reads once it's answered.
    if (req.method !== "GET" || req.url.includes("api-key")) clearCaches(ctx, cacheScope(req.url));
  });
  app.addHook("preHandler", authHook(ctx));

  app.get(
    "/healthcheck",
    { config: { auth: "none" }, schema: { summary: "Liveness and store check", tags: ["system"] } },
    async (_req, reply) => {
      await store.listPlans();
      return reply.type("text/plain; charset=utf-8").send("WORKING");
    },
  );
  app.get(
    "/metrics",
    { config: { auth: "none" }, schema: { summary: "Prometheus metrics", tags: ["system"], hide: false } },
    async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get("/openapi.json", { config: { auth: "none" }, schema: { hide: true } }, async () => app.swagger());

  registerRoutes(app, ctx, {
    ...(deps.nodeConnector ? { nodeConnector: deps.nodeConnector } : {}),
    config,
    log: logger,
  });
  registerDashboard(app, config.dashboardDir);
  if (deps.dockerEndpoint) dockerRoutes(app, ctx, deps.dockerEndpoint);
  if (deploy) deployRoutes(app, deploy);
  return Object.assign(app, { routeTable, metrics });
}

/** The route whose `file` part (a code archive up to the upload limit) is spooled to disk. */
const DEPLOY_ROUTE = "/apps/:app/deploy";

/** A spooled upload lives until its response closes, however the request ended. */
function spooled(reply: FastifyReply, f: SpooledFile): SpooledFile {
  reply.raw.once("close", () => void f.dispose().catch(() => undefined));
  return f;
}
