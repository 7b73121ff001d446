// Ordinary requests count for a node's health: transport failures through the node's client
// turn it unhealthy without waiting for the monitor's polls, and any answer counts as success.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { DockerNodeConnector } from "../../../src/cluster/nodes/connector.js";

test("transport errors of ordinary requests make a watched node unhealthy between polls", async () => {
  const changes: string[] = [];
  const c = new DockerNodeConnector({
    tls: null,
    monitor: { failureThreshold: 2, intervalMs: 3_600_000 },
    onHealthChange: (_a, h) => changes.push(h.state),
  });
  const address = c.canonicalAddress("http://127.0.0.1:1", true);
  c.watch(address); // the monitor is not started: only ordinary requests count here
  for (let i = 0; i < 2; i++) await assert.rejects(c.engineFor(address).ping());
  assert.equal(c.health(address)?.state, "unhealthy");
  assert.match(c.health(address)!.lastError, /ECONNREFUSED/);
  assert.deepEqual(changes, ["unhealthy"]);
});

test("an HTTP error answer counts as the node answering", async () => {
  const srv = createServer((_req, res) => {
    res.statusCode = 500;
    res.end("{}");
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const port = (srv.address() as { port: number }).port;
    const c = new DockerNodeConnector({ tls: null, monitor: { failureThreshold: 1, intervalMs: 3_600_000 } });
    const address = c.canonicalAddress(`http://127.0.0.1:${port}`, true);
    c.watch(address);
    await assert.rejects(c.engineFor(address).ping());
    assert.equal(c.health(address)?.state, "healthy");
  } finally {
    srv.close();
  }
});

test("an ordinary engine call waits for a busy engine that answers after 5 s (Docker answers a start when it is done)", async () => {
  // Before, the client gave up at 5 s and the request surfaced as ECONNRESET "socket hang up".
  const srv = createServer((_req, res) => setTimeout(() => res.end("OK"), 5500));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const port = (srv.address() as { port: number }).port;
    const c = new DockerNodeConnector({ tls: null });
    const answer = (await c.engineFor(c.canonicalAddress(`http://127.0.0.1:${port}`, true)).ping()) as Buffer;
    assert.equal(String(answer), "OK");
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});
