// One router instance in one process: table + upstream pools + HTTP/HTTPS listeners + admin port.
// createRouter() builds it without listening (for embedding); listen()/close() manage the sockets.
import type { Server as HttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import pino, { type Logger } from "pino";
import { resolveConfig, type ResolvedConfig, type RouterConfig } from "./config.js";
import { ActiveHealthChecker } from "./health.js";
import { RouterMetrics } from "./metrics.js";
import { ClientConnection, type ClientOptions, type ConnectionHandler } from "./h1-client.js";
import { proxyRequest, type ProxyContext } from "./proxy.js";
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
  const handler: ConnectionHandler = {
    request: (conn, req) => proxyRequest(ctx, conn, req),
    upgrade: createUpgradeHandler(ctx),
  };
  const clientOpts: ClientOptions = {
    maxHeaderSize: cfg.maxHeaderSize,
    keepAliveTimeoutMs: cfg.keepAliveTimeoutMs,
    // Slow-loris guard, as node:http's headersTimeout; the proxy has its own upstream timeouts.
    headersTimeoutMs: 60_000,
  };
  const servers: Server[] = [];
  const conns = new Set<ClientConnection>();
  const addresses: Router["addresses"] = {};
  let admin: HttpServer | undefined;

  const accept = (socket: Socket, encrypted: boolean) => {
    conns.add(new ClientConnection(socket, encrypted, handler, clientOpts, (c) => conns.delete(c)));
  };

  async function bind(s: Server, port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        resolve();
      });
    });
    servers.push(s);
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
        // allowHalfOpen: a client that half-closes after its request still gets the answer.
        const s = createNetServer({ allowHalfOpen: true, noDelay: true }, (sock) => accept(sock, false));
        addresses.http = await bind(s, cfg.http.port, cfg.http.host ?? "0.0.0.0");
      }
      if (cfg.https) {
        const s = createTlsServer({
          allowHalfOpen: true,
          SNICallback: sniCallback(certificates),
          ...(cfg.https.defaultCert ?? {}),
        });
        s.on("secureConnection", (sock: TLSSocket) => {
          sock.setNoDelay(true);
          accept(sock, true);
        });
        // Failed handshakes (no certificate for the name, plain HTTP on the TLS port) just close.
        s.on("tlsClientError", (_err, sock) => sock.destroy());
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
      for (const c of conns) c.shutdown();
      while (inflight.n > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const c of conns) c.destroy();
      // Upgraded connections are no longer tracked by the HTTP servers: end them explicitly.
      for (const t of ctx.tunnels) t.destroy();
      admin?.close();
      admin?.closeAllConnections();
      await upstreams.closeAll();
    },
  };
}
