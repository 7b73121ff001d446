// Upgrade requests (WebSocket and any other protocol switch): forward the handshake to a backend on a
// dedicated connection (a long-lived tunnel would pin a pooled one), relay its answer, and on 101
// splice the two sockets together. Frames are never parsed.
import { connect, type Socket } from "node:net";
import { pick, recordFailure, recordSuccess } from "./balancer.js";
import { classify, errorResponse } from "./errors.js";
import { requestHead } from "./headers.js";
import type { InboundRequest } from "./h1-client.js";
import { responseParser } from "./h1-parser.js";
import type { ProxyContext } from "./proxy.js";

/** The backend must answer the handshake within this (or the total timeout, when set). */
const HANDSHAKE_TIMEOUT_MS = 30_000;

export function createUpgradeHandler(
  ctx: ProxyContext,
): (socket: Socket, req: InboundRequest, head: Buffer, encrypted: boolean) => void {
  return (socket, req, head, encrypted) => {
    socket.on("error", () => socket.destroy());
    const host = req.head.host;
    const entry = ctx.table.resolve(host);
    if (!entry) return reject(socket, 404, `no app is routed for host "${(host ?? "").slice(0, 255)}"\n`);
    const t0 = performance.now();
    // Each handshake is one request in the app's counts: switched (101), refused by the unit
    // (its status) or failed in the router (502/503/504, errors like any proxied request's).
    let counted = false;
    const count = (status: number) => {
      if (counted) return;
      counted = true;
      ctx.metrics?.request(entry.route.app, status, (performance.now() - t0) / 1000);
    };
    const b = pick(entry.backends, Date.now());
    if (!b) {
      count(503);
      return reject(socket, 503, `service unavailable: app "${entry.route.app}" has no running units\n`);
    }
    const protocol = upgradeValue(req.raw) ?? "websocket";
    const upstreamHead = requestHead(
      req.method,
      req.url,
      req.raw,
      req.conn.remoteAddress,
      encrypted,
      protocol,
    );
    const up = connect({ host: b.backend.host, port: b.backend.port, noDelay: true });
    up.setTimeout(ctx.opts.totalTimeoutMs || HANDSHAKE_TIMEOUT_MS, () =>
      up.destroy(Object.assign(new Error("timeout"), { code: "UND_ERR_HEADERS_TIMEOUT" })),
    );
    let state: "head" | "tunnel" | "refused" = "head";
    let refusalDone = false;
    const parser = responseParser(
      {
        headers(status, _text, _raw, _keepAlive, upgrade) {
          state = status === 101 && upgrade ? "tunnel" : "refused";
          count(status);
          if (state === "tunnel") {
            up.setTimeout(0);
            recordSuccess(b);
          }
          return false;
        },
        body: () => undefined,
        complete: () => {
          if (state === "refused") refusalDone = true;
        },
      },
      16 * 1024,
    );
    const received: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      const r = parser.execute(chunk);
      if (r instanceof Error && state !== "tunnel") return up.destroy(r);
      if (state === "head") return void received.push(chunk); // the head is still arriving
      // Relay the backend's answer byte for byte: a 101 head and tunnel bytes, or a refusal.
      for (const c of received.splice(0)) socket.write(c);
      socket.write(chunk);
      if (state === "tunnel") {
        up.off("data", onData);
        parser.close();
        splice(ctx, socket, up);
        if (head.length) up.write(head);
      } else if (refusalDone) {
        // The backend declined the upgrade: its answer is complete, and so is this connection.
        up.destroy();
        socket.end();
      }
    };
    up.on("data", onData);
    up.on("end", () => {
      if (state === "refused") socket.end();
    });
    up.on("error", (err) => {
      if (state !== "head") return socket.destroy();
      parser.close();
      const kind = classify(err);
      if (recordFailure(b, Date.now(), ctx.opts.passive)) ctx.metrics?.ejection(entry.route.app);
      ctx.metrics?.upstreamError(entry.route.app, kind);
      const [status, body] = errorResponse(kind, err);
      count(status);
      reject(socket, status, body);
    });
    up.on("close", () => {
      if (state !== "head") return;
      count(502);
      reject(socket, 502, "bad gateway: the app's unit closed the connection\n");
    });
    socket.on("close", () => up.destroy());
    up.write(upstreamHead.upstream + "\r\n", "latin1");
  };
}

/** Both directions flow with backpressure; either side closing closes the other. */
function splice(ctx: ProxyContext, client: Socket, up: Socket): void {
  up.on("close", () => client.destroy());
  client.on("close", () => up.destroy());
  ctx.tunnels.add(client);
  client.once("close", () => ctx.tunnels.delete(client));
  client.pipe(up).pipe(client);
}

function upgradeValue(raw: readonly string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === "upgrade") return raw[i + 1];
  return undefined;
}

function reject(socket: Socket, status: number, body: string): void {
  if (!socket.writable) return void socket.destroy();
  const reason = { 404: "Not Found", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" }[
    status
  ];
  socket.end(
    `HTTP/1.1 ${status} ${reason ?? "Error"}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  // Drop whatever the client still sends, and do not wait forever for its side to close.
  socket.resume();
  setTimeout(() => socket.destroy(), 5_000).unref();
}
