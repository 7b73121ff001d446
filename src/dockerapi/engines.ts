// The endpoint's only way to node engines: the engine adapter's Engine for calls whose answers
// it reads (the node connector's own, so they count for node health), and raw HTTP(S) with the
// node's mutual TLS for what it passes through byte for byte (see proxy.ts for why).
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import net from "node:net";
import { parseEngineUrl, type Engine } from "../cluster/docker/engine.js";
import type { TlsMaterial } from "../cluster/tls/pki.js";

export interface RawRequest {
  method: string;
  /** Path with query, as the engine should see it (version prefix included). */
  path: string;
  headers: http.OutgoingHttpHeaders;
}

export interface NodeEngine {
  readonly address: string;
  /** The engine's host (IP) as nodes are registered: published ports answer there. */
  readonly host: string;
  readonly engine: Engine;
  /** An HTTP(S) request to the engine over a kept-alive connection. */
  request(r: RawRequest, timeoutMs?: number): http.ClientRequest;
  /** A fresh connection of its own, for requests that take the connection over (attach, exec). */
  connect(): net.Socket;
}

export interface Engines {
  engine(address: string): NodeEngine;
}

/** Whatever hands out engines per node address (today: DockerNodeConnector). */
export interface EngineClients {
  engineFor(address: string): Engine;
}

export function dockerApiEngines(clients: EngineClients, material: TlsMaterial | null): Engines {
  const cache = new Map<string, NodeEngine>();
  return {
    engine(address) {
      let e = cache.get(address);
      if (!e) {
        e = nodeEngine(address, clients.engineFor(address), material);
        cache.set(address, e);
      }
      return e;
    },
  };
}

function nodeEngine(address: string, engine: Engine, material: TlsMaterial | null): NodeEngine {
  const a = parseEngineUrl(address, { tls: material ?? undefined, insecure: address.startsWith("http://") });
  const secure = "tls" in a;
  const tlsOpts = secure ? { ca: a.tls.ca, cert: a.tls.cert, key: a.tls.key } : {};
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 256, ...tlsOpts })
    : new http.Agent({ keepAlive: true, maxSockets: 256 });
  return {
    address,
    host: a.host,
    engine,
    request(r, timeoutMs) {
      const o = { host: a.host, port: a.port, method: r.method, path: r.path, headers: r.headers, agent };
      const req = secure ? https.request(o) : http.request(o);
      if (timeoutMs)
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${address} did not answer in time`)));
      return req;
    },
    connect() {
      return secure
        ? tls.connect({ host: a.host, port: a.port, ...tlsOpts })
        : net.connect({ host: a.host, port: a.port });
    },
  };
}
