// Upgrade requests (WebSocket and any other protocol switch): forward the handshake to a backend,
// relay its 101 answer, then splice the two sockets together. Frames are never parsed.
import { request, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { pick, recordFailure, recordSuccess } from "./balancer.js";
import { classify, errorResponse } from "./errors.js";
import { forwardedHeaders } from "./headers.js";
import type { ProxyContext } from "./proxy.js";

export function createUpgradeHandler(
  ctx: ProxyContext,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    const entry = ctx.table.resolve(req.headers.host);
    if (!entry) return reject(socket, 404, `no app is routed for host "${req.headers.host ?? ""}"\n`);
    const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
    const b = pick(entry.backends, Date.now());
    if (!b)
      return reject(socket, 503, `service unavailable: app "${entry.route.app}" has no running units\n`);
    const headers = forwardedHeaders(req, encrypted, req.headers.upgrade ?? "websocket");
    const up = request({
      host: b.backend.host,
      port: b.backend.port,
      method: req.method,
      path: req.url,
      headers,
      // A long-lived tunnel would pin a pooled socket forever: use a dedicated connection.
      agent: false,
    });
    up.setTimeout(ctx.opts.totalTimeoutMs || 0, () =>
      up.destroy(Object.assign(new Error("timeout"), { code: "UND_ERR_HEADERS_TIMEOUT" })),
    );
    up.on("upgrade", (res, upSocket, upHead) => {
      up.setTimeout(0);
      recordSuccess(b);
      let head101 = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? "Switching Protocols"}\r\n`;
      for (let i = 0; i < res.rawHeaders.length; i += 2)
        head101 += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
      socket.write(head101 + "\r\n");
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.on("error", () => socket.destroy());
      socket.on("close", () => upSocket.destroy());
      upSocket.on("close", () => socket.destroy());
      ctx.tunnels.add(socket);
      socket.once("close", () => ctx.tunnels.delete(socket));
      socket.pipe(upSocket).pipe(socket);
      ctx.metrics?.request(entry.route.app, 101, 0);
    });
    up.on("response", (res) => {
      // The backend declined the upgrade: relay its answer as-is and close.
      let text = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`;
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const n = res.rawHeaders[i]!.toLowerCase();
        if (n === "connection" || n === "transfer-encoding") continue;
        text += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
      }
      socket.write(text + "connection: close\r\n\r\n");
      res.pipe(socket);
    });
    up.on("error", (err) => {
      const kind = classify(err);
      if (recordFailure(b, Date.now(), ctx.opts.passive)) ctx.metrics?.ejection(entry.route.app);
      ctx.metrics?.upstreamError(entry.route.app, kind);
      const [status, body] = errorResponse(kind, err);
      reject(socket, status, body);
    });
    socket.on("close", () => up.destroy());
    up.end();
  };
}

function reject(socket: Duplex, status: number, body: string): void {
  if (!socket.writable) return void socket.destroy();
  const reason = { 404: "Not Found", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" }[
    status
  ];
  socket.end(
    `HTTP/1.1 ${status} ${reason ?? "Error"}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
