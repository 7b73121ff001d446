import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { backendOf, get, startBackend, startRouter, type TestBackend } from "./helpers.js";

let a: TestBackend, b: TestBackend, c: TestBackend;
let router: Awaited<ReturnType<typeof startRouter>>;

before(async () => {
  a = await startBackend("a1");
  b = await startBackend("b1");
  c = await startBackend("c1");
  router = await startRouter({ maxBodyBytes: 1000 });
  router.snapshot({
    apps: [
      { app: "alpha", backends: [backendOf(a)], cnames: ["www.alpha.example"] },
      { app: "beta", backends: [backendOf(b)], cnames: ["beta.example", "Other.Example."] },
      { app: "secure", backends: [backendOf(a)], httpsRedirect: true },
    ],
  });
});
after(async () => {
  await router.close();
  await Promise.all([a, b, c].map((x) => x.close()));
});

test("routes <app>.<domain> to the app's backend, case-insensitively and ignoring the port", async () => {
  assert.equal((await get(router.port, "alpha.wharf.test")).body, "a1");
  assert.equal((await get(router.port, "BETA.wharf.test:8080")).body, "b1");
});

test("routes every cname of an app to its backends", async () => {
  assert.equal((await get(router.port, "www.alpha.example")).body, "a1");
  assert.equal((await get(router.port, "beta.example")).body, "b1");
  assert.equal((await get(router.port, "other.example")).body, "b1");
});

test("unknown host gets 404 with a short body naming the host", async () => {
  const r = await get(router.port, "nobody.example.org");
  assert.equal(r.status, 404);
  assert.match(r.body, /nobody\.example\.org/);
  assert.ok(r.body.length < 100);
});

test("sets X-Forwarded-For/Proto/Host and X-Request-Id, appending to a client's X-Forwarded-For", async () => {
  await get(router.port, "alpha.wharf.test", { headers: { "x-forwarded-for": "10.1.2.3" } });
  const h = a.lastHeaders!;
  assert.equal(h["x-forwarded-for"], "10.1.2.3, 127.0.0.1");
  assert.equal(h["x-forwarded-proto"], "http");
  assert.equal(h["x-forwarded-host"], "alpha.wharf.test");
  assert.match(String(h["x-request-id"]), /^[0-9a-f]{20,}$/);
  assert.equal(h.host, "alpha.wharf.test");
  await get(router.port, "alpha.wharf.test", { headers: { "x-request-id": "given-id" } });
  assert.equal(a.lastHeaders!["x-request-id"], "given-id");
});

test("a route update is visible on the next request without dropping the open keep-alive connection", async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const first = await get(router.port, "alpha.wharf.test", { agent });
  assert.equal(first.body, "a1");
  router.update([{ op: "set-app", route: { app: "alpha", backends: [backendOf(c)], cnames: [] } }]);
  const second = await get(router.port, "alpha.wharf.test", { agent });
  assert.equal(second.body, "c1");
  assert.equal(second.socketPort, first.socketPort, "same client connection reused");
  router.update([
    { op: "add-backend", app: "alpha", backend: backendOf(a) },
    { op: "set-cnames", app: "alpha", cnames: ["www.alpha.example"] },
  ]);
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add((await get(router.port, "www.alpha.example", { agent })).body);
  assert.deepEqual([...seen].sort(), ["a1", "c1"]);
  agent.destroy();
});

test("an app with https redirect answers plain HTTP with 308 to https", async () => {
  const r = await get(router.port, "secure.wharf.test", { path: "/x?y=1" });
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, "https://secure.wharf.test/x?y=1");
});

test("a body over the limit gets 413, by Content-Length and by streamed bytes", async () => {
  const big = "x".repeat(2000);
  const r1 = await get(router.port, "beta.wharf.test", { method: "POST", body: big });
  assert.equal(r1.status, 413);
  const r2 = await get(router.port, "beta.wharf.test", {
    method: "POST",
    body: big,
    headers: { "transfer-encoding": "chunked" },
  });
  assert.equal(r2.status, 413);
  const ok = await get(router.port, "beta.wharf.test", { method: "POST", body: "small" });
  assert.equal(ok.status, 200);
});

test("an app without units gets 503 naming the app", async () => {
  router.update([{ op: "set-app", route: { app: "empty", backends: [] } }]);
  const r = await get(router.port, "empty.wharf.test");
  assert.equal(r.status, 503);
  assert.match(r.body, /empty/);
});

test("headers larger than maxHeaderSize get 431", async () => {
  const r = await get(router.port, "alpha.wharf.test", { headers: { "x-big": "y".repeat(20_000) } }).catch(
    () => ({ status: 431 }),
  );
  assert.equal(r.status, 431);
});

test("metrics count requests per app on the router's registry", async () => {
  const text = await router.metrics.registry.metrics();
  assert.match(text, /wharf_router_requests_total\{app="beta",code="200"\} \d+/);
  assert.match(text, /wharf_router_request_duration_seconds_bucket/);
});
