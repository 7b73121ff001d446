// One router instance in one process: table + upstream pools + HTTP/HTTPS listeners + admin port.
// createRouter() builds it without listening (for embedding); listen()/close() manage the sockets.
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import pino, { type Logger } from "pino";
import { resolveConfig, type ResolvedConfig, type RouterConfig } from "./config.js";
import { ActiveHealthChecker } from "./health.js";
import { RouterMetrics } from "./metrics.js";
import { createRequestHandler, type ProxyContext } from "./proxy.js";
import type { RouteSink } from "./source.js";
import { RouteTable } from "./table.js";
import { StaticCertificateSource, sniCallback, type CertificateSource } from "./tls.js";
import type { RouteSnapshot, RouteUpdate } from "./types.js";
import { UpstreamRegistry, type UpstreamBackend } from "./upstream.js";
import { createUpgradeHandler } from "./websocket.js";
import { startAdmin } from "./admin.js";

export interface Router extends RouteSink {
  readonly config: ResolvedConfig;
  readonly table: RouteTable<UpstreamBackend>;
  readonly metrics: RouterMetrics;
  readonly certificates: CertificateSource;
  readonly health: ActiveHealthChecker;
  /** Bound addresses after listen() (port 0 → the real port). */
  readonly addresses: { http?: AddressInfo; https?: AddressInfo; admin?: AddressInfo };
  listen(): Promise<void>;
  /** Stop accepting, drain in-flight requests (up to drainTimeoutMs), close pools. */
  close(): Promise<void>;
  inflight(): number;
}

export function createRouter(config: RouterConfig): Router {
  const cfg = resolveConfig(config, 1);
  const upstreams = new UpstreamRegistry({
    connections: cfg.connectionsPerBackend,
    connectTimeoutMs: cfg.connectTimeoutMs,
    headersTimeoutMs: cfg.headersTimeoutMs,
    bodyTimeoutMs: cfg.idleTimeoutMs,
    keepAliveTimeoutMs: 30_000,
  });
  const table = new RouteTable<UpstreamBackend>(cfg.domain, {
    materialize: (app, b) => upstreams.materialize(app, b),
    retain: (live) => upstreams.retain(live),
  });
  const metrics = new RouterMetrics();
  const certificates = cfg.certificates ?? new StaticCertificateSource();
  let accessLog: Logger | undefined;
  if (cfg.accessLog === true) accessLog = pino({ name: "wharf-router", base: undefined });
  else if (cfg.accessLog) accessLog = cfg.accessLog;
  const inflight = { n: 0 };
  const ctx: ProxyContext = {
    table,
    metrics,
    inflight,
    tunnels: new Set(),
    ...(accessLog ? { accessLog } : {}),
    opts: {
      maxBodyBytes: cfg.maxBodyBytes,
      totalTimeoutMs: cfg.totalTimeoutMs,
      retries: cfg.retries,
      passive: cfg.passive,
    },
  };
  const health = new ActiveHealthChecker(table, cfg.activeHealth);
  const onRequest = createRequestHandler(ctx);
  const onUpgrade = createUpgradeHandler(ctx);
  const servers: (Server | HttpsServer)[] = [];
  const addresses: Router["addresses"] = {};
  let admin: Server | undefined;

  const serverOpts = {
    maxHeaderSize: cfg.maxHeaderSize,
    keepAliveTimeout: cfg.keepAliveTimeoutMs,
    // Node's default 300 s requestTimeout would cut long uploads; the proxy has its own timeouts.
    requestTimeout: 0,
    headersTimeout: 60_000,
  };

  function setup(s: Server | HttpsServer): void {
    s.on("request", onRequest);
    s.on("upgrade", onUpgrade);
    // Clients with broken requests (bad headers, too large headers) get Node's 400/431 and a close.
    s.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return void socket.destroy();
      const status =
        err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    });
    servers.push(s);
  }

  async function bind(s: Server | HttpsServer, port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        resolve();
      });
    });
    return s.address() as AddressInfo;
  }

  return {
    config: cfg,
    table,
    metrics,
    certificates,
    health,
    addresses,
    snapshot: (s: RouteSnapshot) => table.applySnapshot(s),
    update: (u: RouteUpdate[]) => table.applyUpdates(u),
    inflight: () => inflight.n,
    async listen() {
      if (cfg.http) {
        const s = createServer(serverOpts);
        setup(s);
        addresses.http = await bind(s, cfg.http.port, cfg.http.host ?? "0.0.0.0");
      }
      if (cfg.https) {
        const s = createHttpsServer({
          ...serverOpts,
          SNICallback: sniCallback(certificates),
          ...(cfg.https.defaultCert ?? {}),
        });
        setup(s);
        addresses.https = await bind(s, cfg.https.port, cfg.https.host ?? "0.0.0.0");
      }
      if (cfg.admin) {
        admin = await startAdmin(cfg.admin, () => metrics.registry.metrics(), metrics.registry.contentType);
        addresses.admin = admin.address() as AddressInfo;
      }
      health.start();
    },
    async close() {
      health.stop();
      for (const s of servers) s.close();
      const deadline = Date.now() + cfg.drainTimeoutMs;
      // Keep-alive clients between requests are closed at once; busy ones after their response.
      while (inflight.n > 0 && Date.now() < deadline) {
        for (const s of servers) s.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const s of servers) s.closeAllConnections();
      // Upgraded connections are no longer tracked by the HTTP servers: end them explicitly.
      for (const t of ctx.tunnels) t.destroy();
      admin?.close();
      admin?.closeAllConnections();
      await upstreams.closeAll();
    },
  };
}
