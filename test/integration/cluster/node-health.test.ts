// Nodes on the real cluster: specs read over mutual TLS become labels, a node whose
// certificate Wharf does not trust is refused with a clear error, and the monitor turns a
// node whose dockerd died Unhealthy within its window and Healthy again when it returns.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { down, restartNode, stopNode, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { connectEngine } from "../../../src/cluster/docker/engine.js";
import { Pki } from "../../../src/cluster/tls/pki.js";
import { NodeUnreachableError, pingNode, probeNode } from "../../../src/cluster/nodes/probe.js";
import { NodeMonitor } from "../../../src/cluster/health/monitor.js";
import type { HealthTransition } from "../../../src/cluster/health/tracker.js";
import { nodeClient, testLayout } from "../../support/dev-cluster.js";
import { engineOf } from "../../support/engines.js";

const l = testLayout();

describe("nodes on the real cluster", () => {
  let info: DevClusterInfo;
  let otherPkiDir: string;

  before(async () => {
    info = await up(3, l);
    otherPkiDir = mkdtempSync(join(tmpdir(), "wharf-other-ca-"));
  });

  after(async () => {
    rmSync(otherPkiDir, { recursive: true, force: true });
    await down(l);
  });

  test("probing a node over mutual TLS reads its specs as constraint labels", async () => {
    const specs = await probeNode(engineOf(nodeClient(info, 0)), `https://${info.nodes[0]!.address}:2376`);
    assert.equal(specs.labels.storagedriver, "overlay2");
    assert.equal(specs.labels.ostype, "linux");
    assert.ok(specs.labels.kernelversion);
    assert.ok(specs.labels.operatingsystem);
    assert.equal(specs.labels["wharf.dev.node"], "n1");
    assert.ok(specs.cpus >= 1 && specs.memory > 0);
    assert.equal(specs.name, `${l.prefix}-n1`);
  });

  test("a node whose certificate is not from Wharf's CA is refused with a TLS error that says what to fix", async () => {
    const other = new Pki(otherPkiDir);
    await other.ensureCa("some other CA");
    const client = await other.issueClient("client");
    const docker = connectEngine({
      kind: "tcp",
      host: info.nodes[1]!.address,
      port: 2376,
      tls: { ca: readFileSync(client.ca), cert: readFileSync(client.cert), key: readFileSync(client.key) },
    });
    await assert.rejects(probeNode(docker, `https://${info.nodes[1]!.address}:2376`), (err: unknown) => {
      assert.ok(err instanceof NodeUnreachableError);
      assert.equal(err.reason, "tls");
      assert.match(err.message, /Wharf's CA/);
      return true;
    });
  });

  test("an address where nothing listens is refused as unreachable", async () => {
    const tls = {
      ca: readFileSync(info.tls.ca),
      cert: readFileSync(info.tls.clientCert),
      key: readFileSync(info.tls.clientKey),
    };
    const docker = connectEngine({ kind: "tcp", host: info.hostAddress, port: 1, tls });
    await assert.rejects(probeNode(docker, `https://${info.hostAddress}:1`), /nothing accepts connections/);
  });

  test("a node whose dockerd dies turns Unhealthy within the configured window and Healthy when it returns", async () => {
    const transitions: HealthTransition[] = [];
    const monitor = new NodeMonitor({
      intervalMs: 500,
      timeoutMs: 500,
      failureThreshold: 3,
      onTransition: (t) => transitions.push(t),
    });
    const clients: Docker[] = info.nodes.map((_, i) => nodeClient(info, i));
    info.nodes.forEach((n, i) => monitor.add(n.name, () => pingNode(engineOf(clients[i]!), n.address)));
    monitor.start();
    try {
      await waitUntil(
        () => info.nodes.every((n) => monitor.tracker.get(n.name)?.state === "healthy"),
        10_000,
      );
      const killedAt = Date.now();
      await stopNode(3, l);
      await waitUntil(() => monitor.tracker.get("n3")?.state === "unhealthy", 15_000);
      const detectMs = Date.now() - killedAt;
      // 3 failures at a 500 ms interval with a 500 ms timeout: about 1.5-3 s, well within the window.
      assert.ok(detectMs < 6_000, `detected after ${detectMs} ms`);
      assert.equal(monitor.tracker.get("n1")!.state, "healthy", "other nodes stay healthy");
      assert.ok(monitor.tracker.get("n3")!.lastError);
      await restartNode(3, l);
      await waitUntil(() => monitor.tracker.get("n3")?.state === "healthy", 15_000);
      const n3 = transitions.filter((t) => t.node === "n3").map((t) => `${t.from}->${t.to}`);
      assert.deepEqual(n3, ["pending->healthy", "healthy->unhealthy", "unhealthy->healthy"]);
      console.log(`# dead node detected in ${detectMs} ms`);
    } finally {
      monitor.stop();
    }
  });
});

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
