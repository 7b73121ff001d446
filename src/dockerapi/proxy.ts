// Passing requests through to a node's engine as raw HTTP over its mutual TLS, not through
// dockerode: the CLI's streams (logs -f, stats, events, wait, `docker cp` archives, attach
// and exec) must reach it byte for byte with the engine's own status, headers and framing,
// flushed as they come; and attach/exec start take the connection over (`Upgrade: tcp`,
// 101 UPGRADED, then raw stdin/stdout both ways), which dockerode only offers as its own
// demultiplexed client streams. Here the request line and headers are replayed to the
// engine and the two sockets are joined, exactly as dockerd answers.
import type { IncomingMessage, ServerResponse, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import type { NodeEngine } from "./engines.js";
import { DockerApiError } from "./http.js";

const HOP = new Set(["host", "connection", "keep-alive", "upgrade", "proxy-connection", "te", "trailer"]);

function forwardHeaders(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (!HOP.has(k) && v !== undefined) out[k] = v;
  return out;
}

function unreachable(engine: NodeEngine, e: unknown): DockerApiError {
  return new DockerApiError(502, `node ${engine.address} did not answer: ${(e as Error).message}`);
}

/**
 * Streams the request to the engine and its answer back, flushing headers at once.
 * `beforeEnd` runs once the engine's answer is complete, before the client sees its end.
 */
export function proxyStream(
  engine: NodeEngine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  beforeEnd?: () => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = engine.request({ method: req.method ?? "GET", path, headers: forwardHeaders(req.headers) });
    let answered = false;
    up.on("response", (ur) => {
      answered = true;
      const headers = forwardHeaders(ur.headers);
      res.writeHead(ur.statusCode ?? 502, headers);
      res.flushHeaders();
      ur.pipe(res, { end: !beforeEnd });
      ur.on("end", () => {
        if (!beforeEnd) return resolve();
        beforeEnd()
          .catch(() => undefined)
          .finally(() => {
            res.end();
            resolve();
          });
      });
      ur.on("error", () => {
        res.destroy();
        resolve();
      });
    });
    up.on("error", (e) => {
      if (!answered) reject(unreachable(engine, e));
      else {
        res.destroy();
        resolve();
      }
    });
    // The client going away (Ctrl-C on logs -f) ends the engine request too.
    res.on("close", () => up.destroy());
    req.pipe(up);
  });
}

export interface Buffered {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** One request to the engine, answer read whole (small answers the endpoint looks at first). */
export function engineCall(
  engine: NodeEngine,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: OutgoingHttpHeaders = {},
  timeoutMs = 120_000,
): Promise<Buffered> {
  return new Promise((resolve, reject) => {
    const h: OutgoingHttpHeaders = { ...headers };
    if (body !== undefined) {
      h["content-type"] ??= "application/json";
      h["content-length"] = Buffer.byteLength(body);
    }
    const up = engine.request({ method, path, headers: h }, timeoutMs);
    up.on("response", (ur) => {
      const chunks: Buffer[] = [];
      ur.on("data", (c: Buffer) => chunks.push(c));
      ur.on("end", () =>
        resolve({
          status: ur.statusCode ?? 502,
          headers: forwardHeaders(ur.headers),
          body: Buffer.concat(chunks),
        }),
      );
      ur.on("error", (e) => reject(unreachable(engine, e)));
    });
    up.on("error", (e) => reject(unreachable(engine, e)));
    up.end(body);
  });
}

export function sendBuffered(res: ServerResponse, b: Buffered): void {
  const headers = { ...b.headers };
  delete headers["transfer-encoding"];
  headers["content-length"] = b.body.length;
  res.writeHead(b.status, headers);
  res.end(b.body);
}

/** The engine's error sentence from a buffered answer (JSON {"message"} or plain text). */
export function engineMessage(b: Buffered): string {
  const text = b.body.toString("utf8").trim();
  try {
    const v = JSON.parse(text) as { message?: string };
    if (typeof v.message === "string") return v.message;
  } catch {
    // plain text
  }
  return text || `engine answered ${b.status}`;
}

/**
 * A request that takes the connection over (Upgrade: tcp): replays it to the engine on a
 * connection of its own and joins the sockets; the engine's 101 and everything after pass
 * through untouched. Returns a function that cuts both sides (revocation, shutdown).
 */
export function proxyUpgrade(
  engine: NodeEngine,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  path: string,
): () => void {
  const up = engine.connect();
  // The CLI half-closes when it has no more stdin (exec without -i): its side must stay
  // writable until the engine has sent all output, or the last lines are lost.
  (client as Duplex & { allowHalfOpen: boolean }).allowHalfOpen = true;
  (up as Duplex & { allowHalfOpen: boolean }).allowHalfOpen = true;
  const cut = () => {
    up.destroy();
    client.destroy();
  };
  const lines = [`${req.method} ${path} HTTP/1.1`, "Host: docker"];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]!.toLowerCase() !== "host") lines.push(`${raw[i]}: ${raw[i + 1]}`);
  let connected = false;
  const onConnect = () => {
    connected = true;
    up.write(lines.join("\r\n") + "\r\n\r\n");
    if (head.length) up.write(head);
    up.pipe(client);
    client.pipe(up);
  };
  up.once("secureConnect", onConnect);
  up.once("connect", () => {
    // Plain TCP nodes (insecure) only: TLS sockets also emit connect, before the handshake.
    if (!("encrypted" in up)) onConnect();
  });
  up.on("error", (e) => {
    if (!connected) {
      const msg = JSON.stringify({ message: unreachable(engine, e).message });
      client.end(
        `HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(msg)}\r\nConnection: close\r\n\r\n${msg}`,
      );
    } else client.destroy();
  });
  client.on("error", () => up.destroy());
  client.on("close", () => up.destroy());
  up.on("end", () => client.end());
  up.on("close", () => client.destroy());
  return cut;
}
