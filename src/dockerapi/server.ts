// The Docker-API cluster endpoint's own HTTPS server (mutual TLS, its own port): every
// request is matched to a certificate in the store (identity.ts), scoped to the caller's
// teams (scope.ts) and served by one handler (routes.ts). Requests that take the
// connection over (attach, exec start) arrive as HTTP upgrades. Long requests (logs -f,
// events, attach) re-check the certificate every few seconds and are cut when it is revoked.
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Store } from "../store/types.js";
import type { TlsMaterial } from "../cluster/tls/pki.js";
import type { Call, EndpointCtx, Handler } from "./context.js";
import { DockerCa } from "./certs.js";
import { dockerApiEngines, type EngineClients } from "./engines.js";
import { DockerApiError, notSupported, sendError } from "./http.js";
import { identify, type Caller } from "./identity.js";
import { NodeStates } from "./node-state.js";
import { loadScope, type Scope } from "./scope.js";
import { match } from "./routes.js";
import { API_VERSION } from "./info.js";
import { upgraded } from "./exec.js";
import { dropDestroyed, sweepNode } from "./sweep.js";
import { rescheduleFrom } from "./reschedule.js";
import { closeIdleOnlyWhenQuiet } from "./keep-alive.js";
import { DockerRecords } from "./records.js";
import { SWARM_LABELS } from "./expressions.js";

export interface DockerApiOptions {
  store: Store;
  log: Logger;
  /** Per-node engines (the node connector's). */
  clients: EngineClients;
  /** Wharf's client certificate for node engines. */
  nodeTls: TlsMaterial | null;
  host: string;
  port: number;
  caDir: string;
  /** Names and IPs the server certificate must also be valid for. */
  sans: readonly string[];
  /** DOCKER_HOST to announce; "" = tcp://<listening address>. */
  url: string;
  registry: string;
}

export interface DockerApi {
  /** tcp://HOST:PORT for DOCKER_HOST. */
  url: string;
  ca: DockerCa;
  /** Node health changed (the server's node watch): a dead node's reschedulable containers move. */
  nodeChanged(address: string, to: string): void;
  close(): Promise<void>;
}

const RECHECK_MS = 2000;
const NODE_SYNC_MS = 10_000;
const VERSIONED = /^\/v(\d+\.\d+)(\/.*)?$/;

function headers(res: ServerResponse): void {
  res.setHeader("Api-Version", API_VERSION);
  res.setHeader("Docker-Experimental", "false");
  res.setHeader("Ostype", "linux");
  res.setHeader("Server", "Wharf cluster endpoint");
}

export async function startDockerApi(o: DockerApiOptions): Promise<DockerApi> {
  const ca = new DockerCa(o.caDir);
  const tls = await ca.serverTls([o.host, ...o.sans]);
  const engines = dockerApiEngines(o.clients, o.nodeTls);
  const startedAt = Date.now();
  const records = new DockerRecords(o.store);
  // Every write the endpoint makes goes through this store, so the copy follows it.
  const store = records.tap(o.store);
  const states = new NodeStates(engines, o.log, {
    listed: (address, cs, listedAt) =>
      void sweepNode(store, engines, o.log, address, cs, listedAt, startedAt).catch((e: unknown) =>
        o.log.warn({ err: e, node: address }, "endpoint sweep failed"),
      ),
    destroyed: (address, id, swarmId) =>
      void dropDestroyed(store, address, id, swarmId).catch((e: unknown) =>
        o.log.warn({ err: e, node: address }, "could not drop a destroyed container's record"),
      ),
  });
  // A container the copy does not know (made through another server): read the records again,
  // once per such container (a leftover the sweep removes has no record to find).
  const askedFor = new Set<string>();
  states.subscribe((_address, e) => {
    const sid = e.Actor?.Attributes?.[SWARM_LABELS.id];
    if (!sid || records.has(sid) || askedFor.has(sid) || (e.Action ?? e.status) === "destroy") return;
    if (askedFor.size > 10_000) askedFor.clear();
    askedFor.add(sid);
    void records.reload().catch((err: unknown) => o.log.warn({ err }, "endpoint could not read its records"));
  });
  const ctx: EndpointCtx = {
    store,
    engines,
    states,
    records,
    log: o.log,
    registry: o.registry,
    execs: new Map(),
    createLock: { tail: Promise.resolve() },
    startedAt,
  };
  const syncNodes = () =>
    o.store
      .listNodes()
      .then((ns) => states.sync(ns.map((n) => n.address)))
      .catch((e: unknown) => o.log.warn({ err: e }, "endpoint could not list nodes"));
  await syncNodes();
  const syncTimer = setInterval(() => void syncNodes(), NODE_SYNC_MS);
  syncTimer.unref();

  interface Prepared {
    call: Omit<Call, "res">;
    handler: Handler;
    upgrade?: "attach" | "exec";
  }
  const prepare = async (req: IncomingMessage): Promise<Prepared | DockerApiError> => {
    const url = new URL(req.url ?? "/", "http://endpoint");
    const m = VERSIONED.exec(url.pathname);
    const versionPrefix = m ? `/v${m[1]}` : "";
    const path = m ? (m[2] ?? "/") : url.pathname;
    let caller: Caller;
    try {
      caller = await identify(o.store, req.socket as TLSSocket);
    } catch (e) {
      if (e instanceof DockerApiError) return e;
      throw e;
    }
    const found = match(req.method ?? "GET", path.replace(/\/+$/, "") || "/");
    if (!found) return notSupported(req.method ?? "GET", path);
    let scope: Promise<Scope> | undefined;
    return {
      handler: found.route.handler,
      ...(found.route.upgrade ? { upgrade: found.route.upgrade } : {}),
      call: {
        ctx,
        req,
        version: versionPrefix,
        path,
        query: url.searchParams,
        params: found.params,
        caller,
        scope: () => (scope ??= loadScope(o.store, caller, records)),
      },
    };
  };

  /** Cuts a long request when its certificate stops being valid. */
  const guard = (req: IncomingMessage, cut: () => void): (() => void) => {
    const t = setInterval(() => {
      identify(o.store, req.socket as TLSSocket).catch(() => cut());
    }, RECHECK_MS);
    t.unref();
    return () => clearInterval(t);
  };

  const fail = (res: ServerResponse, e: unknown) => {
    if (e instanceof DockerApiError) return sendError(res, e.status, e.message);
    o.log.error({ err: e }, "docker endpoint request failed");
    sendError(res, 500, `internal error in Wharf's cluster endpoint: ${(e as Error).message}`);
  };

  const server = https.createServer(
    { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      headers(res);
      void (async () => {
        try {
          const p = await prepare(req);
          if (p instanceof DockerApiError) return sendError(res, p.status, p.message);
          const stop = guard(req, () => res.destroy());
          res.once("close", stop);
          await p.handler({ ...p.call, res });
        } catch (e) {
          fail(res, e);
        }
      })();
    },
  );
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  closeIdleOnlyWhenQuiet(server);
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, message: string) => {
      const body = JSON.stringify({ message });
      socket.end(
        `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nApi-Version: ${API_VERSION}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    void (async () => {
      try {
        const p = await prepare(req);
        if (p instanceof DockerApiError) return refuse(p.status, p.message);
        if (!p.upgrade) return refuse(400, `${req.method} ${p.call.path} cannot take the connection over`);
        const cut = await upgraded(p.call, socket, head, p.upgrade);
        const stop = guard(req, cut);
        socket.once("close", stop);
      } catch (e) {
        if (e instanceof DockerApiError) return refuse(e.status, e.message);
        o.log.error({ err: e }, "docker endpoint upgrade failed");
        refuse(500, `internal error in Wharf's cluster endpoint: ${(e as Error).message}`);
      }
    })();
  });
  server.on("tlsClientError", (e) => o.log.debug({ err: e }, "docker endpoint TLS handshake failed"));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  return {
    url: o.url || `tcp://${host}:${addr.port}`,
    ca,
    nodeChanged(address, to) {
      // A node added or removed is watched or dropped now, not at the next sync.
      void syncNodes();
      if (to !== "unhealthy") {
        if (to === "healthy") void states.relist(address).catch(() => undefined);
        return;
      }
      rescheduleFrom(ctx, address).catch((e: unknown) =>
        o.log.error({ err: e, node: address }, "rescheduling failed"),
      );
    },
    async close() {
      clearInterval(syncTimer);
      states.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
