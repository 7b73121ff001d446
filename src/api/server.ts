// The tsuru-compatible HTTP API: fastify with tsuru's routes answered bare and under
// any /1.x/ prefix, form/multipart/JSON bodies, plain-text errors, metrics, OpenAPI.
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import type { Logger } from "pino";
import { pino } from "pino";
import type { Store } from "../store/types.js";
import { openStore } from "../store/open.js";
import type { WharfConfig } from "../config/config.js";
import { storeConfigFor } from "../config/store-config.js";

export { storeConfigFor };
import { clearCaches, makeCtx, type Ctx } from "../domain/services/context.js";
import { ensureBuiltinRoles, initAdmin } from "../domain/services/auth.js";
import { errorHandler, sendError } from "./errors.js";
import { BadRequestError } from "../domain/errors.js";
import { authHook } from "./auth.js";
import { createMetrics } from "./metrics.js";
import { registerRoutes } from "./routes/index.js";
import { registerDashboard } from "./dashboard.js";
import { publishRouterPorts } from "../domain/services/catalog.js";
import type { NodeConnector } from "../domain/services/node-port.js";
import { startNodeWatch } from "../reconcile/node-watch.js";
import { followLeadership, type LeaderFollower } from "../reconcile/leader.js";
import { healerSettingsFromEnv } from "../reconcile/healer-settings.js";
import { autoscaleSettings } from "../config/autoscale-config.js";
import { LeaderWork } from "./leader-work.js";
import type { DeployCtx, NodeEngines } from "../deploy/context.js";
import { createDeployCtx, runtimePort } from "../deploy/runtime.js";
import { closeAbandonedEvents } from "../deploy/interrupted.js";
import { deployRoutes } from "./routes/deploys.js";
import { SpooledFile, spoolFilePart } from "./upload-spool.js";
import { startEmbeddedRouter } from "../router/embedded.js";
import { secretKeyPath } from "../router/secret-box.js";
import { setCertificateKeyFile } from "../domain/services/certificates.js";
import type { StoreRouter } from "../router/store-router.js";
import { builtinServicesFor, type BuiltinServices } from "../services/builtin/index.js";
import { createNodeAgentServices, type NodeAgentServices } from "./node-agents.js";
import { dockerRoutes } from "./routes/docker.js";
import { dockerEndpointFor, startDockerEndpoint } from "../dockerapi/start.js";

export { initAdmin };

export interface ServerDeps {
  store: Store;
  config: WharfConfig;
  logger?: Logger;
  /** Serves tsuru's node routes when given (the cluster side: src/cluster/nodes). */
  nodeConnector?: NodeConnector;
  /** Node engines: with a registry configured, deploys, units and builds are served. */
  engines?: NodeEngines;
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

export type WharfServer = FastifyInstance & {
  ctx: Ctx;
  deploy: DeployCtx | null;
  builtin: BuiltinServices | null;
  nodeAgents: NodeAgentServices;
  /** The Docker-API endpoint's CA and address (null when WHARF_DOCKER_API_PORT is unset). */
  dockerEndpoint: ReturnType<typeof dockerEndpointFor>;
  /** Every route registered (HEAD twins of GET routes left out): tests check coverage against it. */
  routeTable: readonly RouteEntry[];
};

export async function createServer(deps: ServerDeps): Promise<WharfServer> {
  const { store, config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const ctx = makeCtx(store, config);
  // The API seals certificate keys with the same key file the routers open them with.
  setCertificateKeyFile(ctx, secretKeyPath(config.dataDir));
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
  let deploy: DeployCtx | null = null;
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
  const dockerEndpoint = dockerEndpointFor(config);
  if (dockerEndpoint) dockerRoutes(app, ctx, dockerEndpoint);
  let builtin: BuiltinServices | null = null;
  if (deps.engines && config.registry) {
    deploy = await createDeployCtx(ctx, deps.engines, config, logger);
    ctx.runtime = runtimePort(deploy);
    builtin = builtinServicesFor(deploy);
    ctx.builtin = builtin;
    deployRoutes(app, deploy);
  }
  // App logs, node agents and node containers (their loops start once the API listens).
  const nodeAgents = createNodeAgentServices(app, ctx, config, logger, {
    ...(deps.nodeConnector ? { nodeConnector: deps.nodeConnector } : {}),
    deploy,
    registry: metrics.registry,
  });
  await app.ready();
  return Object.assign(app, { ctx, deploy, builtin, nodeAgents, dockerEndpoint, routeTable });
}

const HEARTBEAT_MS = 30_000;
const STALE_AFTER_MS = 5 * 60_000;

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  /** Actual listening address, e.g. http://127.0.0.1:8080. */
  url: string;
  /** The embedded router's HTTP address, when it runs (a cluster is configured). */
  routerUrl: string;
  /** DOCKER_HOST of the Docker-API endpoint, when it runs. */
  dockerUrl: string;
  close(): Promise<void>;
}

/**
 * `wharf server`: open the store (migrations run on open), close events a previous run
 * left running, make sure built-in roles exist, create the first admin from
 * WHARF_ADMIN_EMAIL/WHARF_ADMIN_PASSWORD when given, then listen.
 */
export interface StartOptions {
  logger?: Logger;
  /** Builds the node connector once the store is open (node routes are off without it). */
  nodeConnector?: (store: Store, log: Logger) => NodeConnector | Promise<NodeConnector>;
}

/** The route whose `file` part (a code archive up to the upload limit) is spooled to disk. */
const DEPLOY_ROUTE = "/apps/:app/deploy";

/** A spooled upload lives until its response closes, however the request ended. */
function spooled(reply: FastifyReply, f: SpooledFile): SpooledFile {
  reply.raw.once("close", () => void f.dispose().catch(() => undefined));
  return f;
}

/** Connectors that monitor nodes expose stop(); the test fakes need not. */
function stopConnector(c: NodeConnector | undefined): void {
  const s = (c as { stop?: () => void } | undefined)?.stop;
  if (typeof s === "function") s.call(c);
}

export async function startServer(
  config: WharfConfig,
  opts: StartOptions | Logger = {},
): Promise<RunningServer> {
  const o: StartOptions =
    "info" in opts && typeof opts.info === "function" ? { logger: opts as Logger } : (opts as StartOptions);
  const logger = o.logger;
  const log = logger ?? createLogger(config.logLevel);
  const store = await openStore(storeConfigFor(config));
  let nodeConnector: NodeConnector | undefined;
  // Created once the deploy side exists; node transitions before that are seen by its first pass.
  let work: LeaderWork | undefined;
  let nodeAgents: NodeAgentServices | undefined;
  let leader: LeaderFollower | undefined;
  let dockerApi: Awaited<ReturnType<typeof startDockerEndpoint>> = null;
  try {
    // Embedded SQLite has one server: anything still running was left by a crash. On
    // PostgreSQL other servers may be mid-operation, so close only this instance's events
    // and those whose heartbeat stopped long ago (the reconciler leader keeps checking).
    const left = await closeAbandonedEvents(
      store,
      store.kind === "sqlite"
        ? { all: true }
        : { instanceId: config.instanceId, heartbeatBefore: new Date(Date.now() - STALE_AFTER_MS) },
    );
    if (left.served.length + left.failed.length)
      log.warn(
        { served: left.served.length, failed: left.failed.length },
        "closed events left running by a previous server",
      );
    await ensureBuiltinRoles(store);
    if (config.adminEmail && config.adminPassword) {
      const r = await initAdmin(store, config.adminEmail, config.adminPassword);
      if (r.created) log.info({ email: config.adminEmail }, "created the first admin from configuration");
    }
    nodeConnector = o.nodeConnector
      ? await o.nodeConnector(store, log)
      : await startNodeWatch({
          store,
          log,
          instanceId: config.instanceId,
          tlsDir: config.nodeTlsDir,
          monitor: {
            intervalMs: config.nodeMonitorIntervalMs,
            timeoutMs: config.nodeMonitorTimeoutMs,
            failureThreshold: config.nodeFailureThreshold,
          },
          onTransition: (address, to) => {
            work?.healer?.nodeChanged(address, to);
            dockerApi?.nodeChanged(address, to);
            if (to === "healthy") nodeAgents?.nodeContainers?.kick();
          },
        });
    const engines =
      nodeConnector && "engineFor" in nodeConnector ? (nodeConnector as NodeEngines) : undefined;
    const app = await createServer({
      store,
      config,
      logger: log,
      ...(nodeConnector ? { nodeConnector } : {}),
      ...(engines ? { engines } : {}),
    });
    if (app.deploy) {
      // Only the reconciler leader converges and heals (several servers on PostgreSQL). A
      // leader converges the nodes to the store before taking requests: a crash mid-deploy ends here.
      const w = new LeaderWork({
        dc: app.deploy,
        builtin: app.builtin,
        nodeAgents: app.nodeAgents,
        instanceId: config.instanceId,
        healerSettings: healerSettingsFromEnv(),
        autoscaleSettings: autoscaleSettings(),
        log,
      });
      work = w;
      leader = await followLeadership(store, w, { log });
      if (app.ctx.runtime) app.ctx.runtime.nodesChanged = () => w.healer?.kick();
    }
    const address = await app.listen({ host: config.host, port: config.port });
    dockerApi = await startDockerEndpoint(app.dockerEndpoint, config, store, nodeConnector, log);
    nodeAgents = app.nodeAgents;
    nodeAgents.onUnitsDown = () => work?.healer?.kick();
    nodeAgents.start(address);
    // The single-machine default runs the router in the server; WHARF_ROUTER_EMBEDDED=false
    // leaves routing to separate `wharf router` processes.
    let router: StoreRouter | undefined;
    if (app.deploy && process.env.WHARF_ROUTER_EMBEDDED !== "false") {
      try {
        router = await startEmbeddedRouter(store, config, log, {
          onCounted: (rows) => app.nodeAgents.metrics.addRouterRows(rows),
        });
      } catch (e) {
        await nodeAgents.stop();
        await app.close();
        throw e;
      }
    }
    if (router) publishRouterPorts(app.ctx, router.addresses);
    const r = router?.addresses.http;
    const routerUrl = r ? `http://${process.env.WHARF_ROUTER_HOST || "127.0.0.1"}:${r.port}` : "";
    if (r) app.ctx.routerHttpPort = r.port;
    // Heartbeat for this instance's running events, so other servers can tell them from
    // events a dead server left behind.
    const heartbeat = setInterval(() => {
      store
        .touchRunningEvents(config.instanceId)
        .catch((e) => log.warn({ err: e }, "event heartbeat failed"));
      if (store.kind !== "sqlite")
        void work?.sweepAbandoned(new Date(Date.now() - STALE_AFTER_MS), () => leader?.leading ?? false);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    return {
      app,
      store,
      url: address,
      routerUrl,
      dockerUrl: dockerApi?.url ?? "",
      close: async () => {
        clearInterval(heartbeat);
        await dockerApi?.close();
        await leader?.stop();
        await app.builtin?.stop();
        await nodeAgents?.stop();
        await router?.close();
        stopConnector(nodeConnector);
        await app.close();
        await store.close();
      },
    };
  } catch (e) {
    await leader?.stop().catch(() => undefined);
    stopConnector(nodeConnector);
    await store.close().catch(() => undefined);
    throw e;
  }
}

/**
 * `wharf server init`: open the configured store (running migrations), create the
 * built-in roles and the first admin, close the store. Never uses a default password:
 * the caller supplies it (prompted or from WHARF_ADMIN_PASSWORD).
 */
export async function initAdminFromConfig(
  config: WharfConfig,
  email: string,
  password: string,
): Promise<{ created: boolean }> {
  const store = await openStore(storeConfigFor(config));
  try {
    return await initAdmin(store, email, password);
  } finally {
    await store.close();
  }
}
