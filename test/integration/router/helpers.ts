// Real local backends and a router on 127.0.0.1 for the router's integration tests.
import {
  createServer,
  request,
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { createRouter, type Router } from "../../../src/router/index.js";
import type { RouterConfig } from "../../../src/router/config.js";

export interface TestBackend {
  id: string;
  port: number;
  server: Server;
  hits: number;
  lastHeaders?: IncomingMessage["headers"];
  close(): Promise<void>;
}

/** A node:http backend answering "<id>" (or running a custom handler). */
export async function startBackend(
  id: string,
  handler?: (req: IncomingMessage, res: ServerResponse, b: TestBackend) => void,
): Promise<TestBackend> {
  const b = { id, hits: 0 } as TestBackend;
  b.server = createServer((req, res) => {
    b.hits++;
    b.lastHeaders = req.headers;
    if (handler) return handler(req, res, b);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain", "x-backend": id });
      res.end(id);
    });
  });
  b.server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => b.server.listen(0, "127.0.0.1", () => r()));
  b.port = (b.server.address() as AddressInfo).port;
  b.close = async () => {
    b.server.closeAllConnections();
    await new Promise<void>((r) => b.server.close(() => r()));
  };
  return b;
}

export async function startRouter(config: Partial<RouterConfig> = {}): Promise<Router & { port: number }> {
  const r = createRouter({ domain: "wharf.test", http: { port: 0, host: "127.0.0.1" }, ...config });
  await r.listen();
  return Object.assign(r, { port: r.addresses.http!.port });
}

export function backendOf(b: TestBackend) {
  return { id: b.id, host: "127.0.0.1", port: b.port };
}

export interface Reply {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
  socketPort?: number;
}

/** One request to the router with a given Host; optional agent to control keep-alive. */
export function get(
  port: number,
  host: string,
  opts: {
    path?: string;
    method?: string;
    agent?: Agent;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: opts.method ?? "GET",
        path: opts.path ?? "/",
        headers: { host, ...opts.headers },
        agent: opts.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            socketPort: req.socket?.localPort,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}
