import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { startRouter } from "../../../src/router/index.js";
import { backendOf, get, startBackend } from "./helpers.js";

test("with two worker processes every worker gets the table and each broadcast update", async () => {
  const b1 = await startBackend("w1");
  const b2 = await startBackend("w2");
  const router = await startRouter({
    domain: "wharf.test",
    http: { port: 0, host: "127.0.0.1" },
    admin: { port: 0 },
    workers: 2,
  });
  router.snapshot({ apps: [{ app: "multi", backends: [backendOf(b1)] }] });
  const port = router.addresses.http!.port;
  // Separate connections land on both workers (round-robin hand-off).
  const agent = new Agent({ keepAlive: false });
  const deadline = Date.now() + 3000;
  let r = await get(port, "multi.wharf.test", { agent });
  while (r.status !== 200 && Date.now() < deadline) r = await get(port, "multi.wharf.test", { agent });
  for (let i = 0; i < 10; i++) assert.equal((await get(port, "multi.wharf.test", { agent })).body, "w1");
  router.update([{ op: "set-app", route: { app: "multi", backends: [backendOf(b2)] } }]);
  await new Promise((res) => setTimeout(res, 50));
  for (let i = 0; i < 10; i++) assert.equal((await get(port, "multi.wharf.test", { agent })).body, "w2");
  // Metrics from both workers, aggregated on the primary's admin port.
  const m = await get(router.addresses.admin!.port, "localhost", { path: "/metrics" });
  const count = /wharf_router_requests_total\{app="multi",code="200"\} (\d+)/.exec(m.body);
  assert.ok(count && Number(count[1]) >= 20, m.body.slice(0, 500));
  const observed = /wharf_router_request_duration_seconds_count\{app="multi"\} (\d+)/.exec(m.body);
  assert.equal(observed?.[1], count[1], "the latency histogram is summed across workers too");
  await router.close();
  await Promise.all([b1.close(), b2.close()]);
});
