// Ordinary requests count for a node's health: transport failures through the node's client
// turn it unhealthy without waiting for the monitor's polls, and any answer counts as success.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { DockerNodeConnector } from "../../../src/cluster/nodes/connector.js";
import { forChanges, longLived } from "../../../src/provision/docker/streaming.js";

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

test("copies of a node's client with a longer idle limit wait for a slow answer, and still count for its health", async () => {
  // Answers after 400 ms, past the ordinary client's 100 ms idle limit.
  const srv = createServer((_req, res) => {
    setTimeout(() => res.end("OK"), 400);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  try {
    const port = (srv.address() as { port: number }).port;
    const c = new DockerNodeConnector({
      tls: null,
      requestTimeoutMs: 100,
      monitor: { failureThreshold: 1, intervalMs: 3_600_000 },
    });
    const address = c.canonicalAddress(`http://127.0.0.1:${port}`, true);
    c.watch(address);
    await assert.rejects(c.engineFor(address).ping(), /socket hang up/);
    assert.equal(c.health(address)?.state, "unhealthy", "a cut call is a transport failure");
    // Before the fix the copies kept the ordinary client's limit through its health wrapper.
    assert.equal(String(await longLived(c.engineFor(address)).ping()), "OK");
    assert.equal(c.health(address)?.state, "healthy", "the copy's answer counts for the node");
    assert.equal(String(await forChanges(c.engineFor(address)).ping()), "OK");
  } finally {
    srv.close();
  }
});
