// The endpoint's kept-alive connections: a request that reached the socket while the
// server's event loop was held past the idle timeout is answered, never reset (the docker
// CLI's "read: connection reset by peer" on containers/create), and an idle connection is
// still closed.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { closeIdleOnlyWhenQuiet } from "../../../src/dockerapi/keep-alive.js";

const KEEP_ALIVE_MS = 100;
/** Past Node's idle close: keepAliveTimeout plus the 1 s margin Node 20 adds, plus slack. */
const HOLD_MS = KEEP_ALIVE_MS + 1000 + 500;

async function guardedServer(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end(`answer to ${req.method}`));
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  closeIdleOnlyWhenQuiet(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Holds the (shared) event loop as a long synchronous store call would. */
function holdLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

test("a POST that arrives on a kept-alive connection while the loop is held past the idle timeout is answered, not reset", async () => {
  const { server, port } = await guardedServer();
  try {
    const outcome = await new Promise<string>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      let got = "";
      let sentSecond = false;
      s.on("data", (d) => {
        got += d;
        if (!sentSecond && got.includes("answer to GET")) {
          sentSecond = true;
          // The CLI's create right after its ping; the server is busy before it reads it.
          s.write("POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
          holdLoop(HOLD_MS);
        }
        if (got.includes("answer to POST")) {
          s.destroy();
          resolve("answered");
        }
      });
      s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      s.on("close", () => resolve(`closed after: ${JSON.stringify(got)}`));
      s.write("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    });
    assert.equal(outcome, "answered");
  } finally {
    server.close();
  }
});

test("an idle kept-alive connection is still closed by the server", async () => {
  const { server, port } = await guardedServer();
  try {
    const closed = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.on("data", () => undefined);
      s.on("error", () => resolve(false));
      s.on("close", () => resolve(true));
      s.write("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    });
    assert.equal(closed, true);
  } finally {
    server.close();
  }
});
