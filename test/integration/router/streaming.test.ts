import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { backendOf, startBackend, startRouter } from "./helpers.js";

const SIZE = 200 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

// Memory is sampled while the body streams; a proxy that buffered would grow by ~200 MB.
function sampler(): { stop(): number } {
  const base = process.memoryUsage().rss;
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return {
    stop() {
      clearInterval(t);
      return peak - base;
    },
  };
}

test("a 200 MB streamed upload passes through with flat memory", async (t) => {
  const backend = await startBackend("sink", (req, res) => {
    let n = 0;
    req.on("data", (c: Buffer) => (n += c.length));
    req.on("end", () => res.end(String(n)));
  });
  const router = await startRouter({ maxBodyBytes: SIZE + 1 });
  router.snapshot({ apps: [{ app: "up", backends: [backendOf(backend)] }] });
  global.gc?.();
  const mem = sampler();
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: router.port, method: "POST", path: "/", headers: { host: "up.wharf.test" } },
      (res) => {
        let s = "";
        res.on("data", (c) => (s += c));
        res.on("end", () => resolve(s));
      },
    );
    req.on("error", reject);
    let sent = 0;
    const pump = () => {
      while (sent < SIZE) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
  const growth = mem.stop();
  t.diagnostic(`peak RSS growth ${(growth / 1048576).toFixed(1)} MB for a ${SIZE / 1048576} MB body`);
  assert.equal(Number(body), SIZE);
  assert.ok(growth < 80 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB`);
  await router.close();
  await backend.close();
});

test("a 200 MB streamed download passes through with flat memory", async (t) => {
  const backend = await startBackend("source", (_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    let sent = 0;
    const pump = () => {
      while (sent < SIZE) {
        sent += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  const router = await startRouter();
  router.snapshot({ apps: [{ app: "down", backends: [backendOf(backend)] }] });
  global.gc?.();
  const mem = sampler();
  const received = await new Promise<number>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: router.port, path: "/", headers: { host: "down.wharf.test" } },
      (res) => {
        let n = 0;
        res.on("data", (c: Buffer) => (n += c.length));
        res.on("end", () => resolve(n));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
  const growth = mem.stop();
  t.diagnostic(`peak RSS growth ${(growth / 1048576).toFixed(1)} MB for a ${SIZE / 1048576} MB body`);
  assert.equal(received, SIZE);
  assert.ok(growth < 80 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB`);
  await router.close();
  await backend.close();
});
