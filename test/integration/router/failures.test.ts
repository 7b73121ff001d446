import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { backendOf, get, startBackend, startRouter } from "./helpers.js";

test("a hung backend gives 504 within the timeout", async () => {
  const hung = await startBackend("hung", () => undefined /* never answers */);
  const router = await startRouter({ headersTimeoutMs: 500 });
  router.snapshot({ apps: [{ app: "slow", backends: [backendOf(hung)] }] });
  const t0 = Date.now();
  const r = await get(router.port, "slow.wharf.test");
  const ms = Date.now() - t0;
  assert.equal(r.status, 504);
  assert.match(r.body, /did not answer in time/);
  assert.ok(ms >= 450 && ms < 1500, `answered after ${ms} ms`);
  await router.close();
  await hung.close();
});

test("the total timeout cuts a response whose backend keeps trickling its body", async () => {
  const slow = await startBackend("trickle", (_req, res) => {
    res.writeHead(200);
    const t = setInterval(() => res.write("."), 100);
    res.on("close", () => clearInterval(t));
  });
  const router = await startRouter({ totalTimeoutMs: 400, headersTimeoutMs: 400 });
  router.snapshot({ apps: [{ app: "t", backends: [backendOf(slow)] }] });
  // Headers were sent, so the cut shows as an aborted response rather than a 504 page.
  const r = await get(router.port, "t.wharf.test").catch((e: Error) => e);
  assert.ok(r instanceof Error, "response cut at the total timeout");
  await router.close();
  await slow.close();
});

test("a dead backend is ejected and traffic continues on the others", async () => {
  const b1 = await startBackend("b1");
  const b2 = await startBackend("b2");
  const dead = await startBackend("dead");
  await dead.close(); // its port now refuses connections
  const router = await startRouter({ passive: { maxFailures: 2, ejectMs: 60_000 } });
  router.snapshot({ apps: [{ app: "app", backends: [backendOf(b1), backendOf(dead), backendOf(b2)] }] });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const bodies: string[] = [];
  for (let i = 0; i < 60; i++) {
    const r = await get(router.port, "app.wharf.test", { agent });
    assert.equal(r.status, 200, `request ${i} failed: ${r.body}`);
    bodies.push(r.body);
  }
  assert.ok(bodies.includes("b1") && bodies.includes("b2"));
  const deadUpstream = router.table.app("app")!.backends.find((u) => u.id === "dead")!;
  assert.ok(deadUpstream.ejectedUntil > Date.now(), "dead backend ejected");
  assert.equal(deadUpstream.failures, 2, "no more attempts after ejection");
  const text = await router.metrics.registry.metrics();
  assert.match(text, /wharf_router_ejections_total\{app="app"\} 1/);
  assert.match(text, /wharf_router_upstream_errors_total\{app="app",kind="connect"\} 2/);
  agent.destroy();
  await router.close();
  await Promise.all([b1.close(), b2.close()]);
});

test("removing a backend during traffic causes no failed idempotent request", async () => {
  const backends = await Promise.all(["r1", "r2", "r3"].map((id) => startBackend(id)));
  const router = await startRouter();
  router.snapshot({ apps: [{ app: "live", backends: backends.map(backendOf) }] });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let ok = 0;
  const failures: string[] = [];
  let stop = false;
  const workers = Array.from({ length: 16 }, async () => {
    while (!stop) {
      const method = ok % 3 === 0 ? "HEAD" : "GET";
      const r = await get(router.port, "live.wharf.test", { agent, method }).catch((e: Error) => ({
        status: 0,
        body: e.message,
      }));
      if (r.status === 200) ok++;
      else failures.push(`${r.status} ${r.body}`);
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  // Remove r2 from the table, then kill it hard (open keep-alive sockets cut) while traffic flows.
  router.update([{ op: "remove-backend", app: "live", id: "r2" }]);
  await backends[1]!.close();
  await new Promise((r) => setTimeout(r, 300));
  // And a unit that dies before the table knows: retries on the others cover it.
  await backends[2]!.close();
  await new Promise((r) => setTimeout(r, 300));
  router.update([{ op: "remove-backend", app: "live", id: "r3" }]);
  await new Promise((r) => setTimeout(r, 200));
  stop = true;
  await Promise.all(workers);
  assert.deepEqual(failures, []);
  assert.ok(ok > 200, `only ${ok} requests went through`);
  agent.destroy();
  await router.close();
  await backends[0]!.close();
});

test("active health checks take a unit failing its healthcheck path out of rotation and back", async () => {
  let sick = true;
  const good = await startBackend("good");
  const flaky = await startBackend("flaky", (req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(sick ? 500 : 200);
      return void res.end();
    }
    res.end("flaky");
  });
  const router = await startRouter({ activeHealth: { intervalMs: 0 } });
  router.snapshot({
    apps: [{ app: "hc", backends: [backendOf(good), backendOf(flaky)], healthcheckPath: "/healthz" }],
  });
  await router.health.checkAll();
  for (let i = 0; i < 6; i++) assert.equal((await get(router.port, "hc.wharf.test")).body, "good");
  sick = false;
  await router.health.checkAll();
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add((await get(router.port, "hc.wharf.test")).body);
  assert.ok(seen.has("flaky"));
  await router.close();
  await Promise.all([good.close(), flaky.close()]);
});

test("graceful shutdown lets an in-flight request finish", async () => {
  const slow = await startBackend("slow", (_req, res) => setTimeout(() => res.end("done"), 300));
  const router = await startRouter();
  router.snapshot({ apps: [{ app: "s", backends: [backendOf(slow)] }] });
  const pending = get(router.port, "s.wharf.test");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(router.inflight(), 1);
  await router.close();
  const r = await pending;
  assert.equal(r.status, 200);
  assert.equal(r.body, "done");
  await slow.close();
});
