// `wharf server`: the composition root's one entry point. Opens the store, closes what a
// previous run left running, starts the node watch, assembles the server (./create.ts),
// follows the reconciler leadership (start-up convergence, healers, node containers), listens,
// and runs the embedded router unless routing is left to `wharf router` processes.
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Store } from "../store/types.js";
import { openStore } from "../store/open.js";
import type { WharfConfig } from "../config/config.js";
import { storeConfigFor } from "../config/store-config.js";
import { healerSettingsFromEnv } from "../config/healer.js";
import { autoscaleSettings } from "../config/autoscale-config.js";
import { ensureBuiltinRoles, initAdmin } from "../domain/services/auth.js";
import type { NodeConnector } from "../domain/services/node-port.js";
import { startNodeWatch } from "../reconcile/node-watch.js";
import { followLeadership, type LeaderFollower } from "../reconcile/leader.js";
import type { NodeEngines } from "../deploy/context.js";
import { closeAbandonedEvents } from "../deploy/interrupted.js";
import { startEmbeddedRouter } from "../router/embedded.js";
import type { StoreRouter } from "../router/store-router.js";
import { armCrashPoint } from "../util/crash-point.js";
import { createLogger } from "../api/server.js";
import { createServer } from "./create.js";
import { publishRouterPorts } from "../domain/services/catalog.js";
import { startDockerEndpoint } from "../dockerapi/start.js";
import { LeaderWork } from "./leader-work.js";
import type { NodeAgentServices } from "./node-agents.js";

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
  if (config.testCrashAt) armCrashPoint(config.testCrashAt);
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
