// WebSocket through the router with a raw handshake and hand-built frames (Node 20 has no stable
// WebSocket client and the project has no ws dependency).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import type { Duplex } from "node:stream";
import { backendOf, startBackend, startRouter } from "./helpers.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const accept = (key: string) =>
  createHash("sha1")
    .update(key + GUID)
    .digest("base64");

/** Text frame; clients must mask, servers must not (RFC 6455 5.1). Payloads < 126 bytes only. */
function frame(text: string, mask: boolean): Buffer {
  const payload = Buffer.from(text);
  const head = Buffer.from([0x81, (mask ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([head, key, masked]);
}

function unframe(buf: Buffer): string {
  const masked = (buf[1]! & 0x80) !== 0;
  const len = buf[1]! & 0x7f;
  if (!masked) return buf.subarray(2, 2 + len).toString();
  const key = buf.subarray(2, 6);
  return Buffer.from(buf.subarray(6, 6 + len).map((b, i) => b ^ key[i % 4]!)).toString();
}

test("WebSocket echo works through the router", async () => {
  const backend = await startBackend("ws");
  let upgradeHeaders: Record<string, unknown> = {};
  backend.server.on("upgrade", (req, socket: Duplex) => {
    upgradeHeaders = req.headers;
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept(String(req.headers["sec-websocket-key"]))}\r\n\r\n`,
    );
    socket.on("data", (d: Buffer) => socket.write(frame("echo: " + unframe(d), false)));
    // http.Server sockets allow half-open connections: finish our side when the peer does.
    socket.on("end", () => socket.end());
  });
  const router = await startRouter();
  router.snapshot({ apps: [{ app: "chat", backends: [backendOf(backend)], cnames: ["chat.example"] }] });

  const key = randomBytes(16).toString("base64");
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port: router.port,
      path: "/socket",
      headers: {
        host: "chat.example",
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": key,
      },
    });
    req.on("upgrade", (res, s) => {
      assert.equal(res.statusCode, 101);
      assert.equal(res.headers["sec-websocket-accept"], accept(key));
      resolve(s);
    });
    req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on("error", reject);
    req.end();
  });
  const replies: string[] = [];
  for (const msg of ["hello", "wharf"]) {
    const got = new Promise<Buffer>((r) => socket.once("data", r));
    socket.write(frame(msg, true));
    replies.push(unframe(await got));
  }
  assert.deepEqual(replies, ["echo: hello", "echo: wharf"]);
  assert.equal(upgradeHeaders["x-forwarded-host"], "chat.example");
  socket.destroy();
  await router.close();
  await backend.close();
});

test("an upgrade to an unknown host is refused with 404", async () => {
  const router = await startRouter();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port: router.port,
      headers: { host: "ghost.example", connection: "Upgrade", upgrade: "websocket" },
    });
    req.on("response", (res) => resolve(res.statusCode ?? 0));
    req.on("upgrade", () => reject(new Error("unexpected upgrade")));
    req.on("error", reject);
    req.end();
  });
  assert.equal(status, 404);
  await router.close();
});
