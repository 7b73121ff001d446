// The foundation every later issue builds on: a real 3-node cluster of Docker engines in
// network namespaces, a TLS registry, mutual TLS to each engine, and a clean teardown.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";
import { down, leftovers, status, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { nodeNames } from "../../../src/cluster/dev/layout.js";
import { readPid } from "../../../src/cluster/dev/daemon.js";
import { pullImage, pushImage } from "../../support/engines.js";
import { connectEngine, InsecureEngineError } from "../../../src/cluster/docker/engine.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { hostEngine, nodeClient, testLayout } from "../../support/dev-cluster.js";

const l = testLayout();

/** GET over TLS with the cluster CA and optionally a client certificate; resolves status or error code. */
function tlsGet(
  host: string,
  port: number,
  path: string,
  ca: Buffer,
  client?: { cert: Buffer; key: Buffer },
) {
  return new Promise<{ status?: number; error?: string }>((resolve) => {
    const req = httpsRequest({ host, port, path, ca, ...client, timeout: 5000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

describe("dev cluster with 3 nodes", () => {
  let info: DevClusterInfo;

  before(async () => {
    await down(l); // a previous crashed run must not leak into this one
    info = await up(3, l);
  });

  after(async () => {
    await down(l);
  });

  test("each node is its own engine answering on its own namespace address over mutual TLS", async () => {
    assert.equal(info.nodes.length, 3);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const engine = await nodeClient(info, i).info();
      ids.add(engine.ID);
      assert.equal(engine.Name, `${l.prefix}-n${i + 1}`);
      assert.ok(engine.Labels.includes(`wharf.dev.node=n${i + 1}`));
      assert.equal(info.nodes[i]!.address, `${l.subnet24}.${11 + i}`);
    }
    assert.equal(ids.size, 3, "every node must have its own engine identity");
  });

  test("an image pushed from the host to the registry runs on every node and answers at the node address", async () => {
    const ref = `${info.registry}/wharf-test/busybox:${Date.now()}`;
    await buildBusyboxImage(hostEngine(), ref);
    await pushImage(hostEngine(), ref);
    for (let i = 0; i < 3; i++) {
      const docker = nodeClient(info, i);
      await pullImage(docker, ref);
      const c = await docker.createContainer({
        Image: ref,
        Cmd: ["sh", "-c", `echo served-by-n${i + 1} > /index.html && exec httpd -f -p 8080 -h /`],
        ExposedPorts: { "8080/tcp": {} },
        HostConfig: { PortBindings: { "8080/tcp": [{ HostPort: "18080" }] } },
      });
      try {
        await c.start();
        let body = "";
        for (let attempt = 0; attempt < 50 && !body; attempt++) {
          body = await fetch(`http://${info.nodes[i]!.address}:18080/index.html`)
            .then((r) => r.text())
            .catch(() => "");
          if (!body) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(body.trim(), `served-by-n${i + 1}`);
      } finally {
        await c.remove({ force: true });
      }
    }
  });

  test("the base image is published to the registry and pullable by nodes", async () => {
    assert.ok(info.baseImage, "host setup builds wharf/base:bookworm before the cluster comes up");
    await pullImage(nodeClient(info, 1), info.baseImage!);
  });

  test("a client without a certificate is refused by every node", async () => {
    const ca = readFileSync(info.tls.ca);
    const client = { cert: readFileSync(info.tls.clientCert), key: readFileSync(info.tls.clientKey) };
    for (const n of info.nodes) {
      assert.deepEqual(await tlsGet(n.address, n.dockerPort, "/_ping", ca, client), { status: 200 });
      const anonymous = await tlsGet(n.address, n.dockerPort, "/_ping", ca);
      assert.equal(anonymous.status, undefined, `node ${n.name} answered a client without a certificate`);
      assert.ok(anonymous.error, "the TLS handshake must fail");
    }
  });

  test("plain TCP to an engine is refused by the adapter unless --insecure is explicit", () => {
    assert.throws(
      () => connectEngine({ kind: "tcp", host: info.nodes[0]!.address, port: 2376 } as never),
      InsecureEngineError,
    );
  });

  test("up again is idempotent: same daemons, same addresses", async () => {
    const pidsBefore = await Promise.all([1, 2, 3].map((i) => readPid(nodeNames(l, i).pidFile)));
    const again = await up(3, l);
    const pidsAfter = await Promise.all([1, 2, 3].map((i) => readPid(nodeNames(l, i).pidFile)));
    assert.deepEqual(pidsAfter, pidsBefore);
    assert.deepEqual(again.nodes, info.nodes);
    const s = await status(l);
    assert.equal(s.registry.running, true);
    assert.deepEqual(
      s.nodes.map((n) => n.dockerd),
      ["running", "running", "running"],
    );
  });

  test("down removes every namespace, link, daemon, container, mount and directory; twice is safe", async () => {
    // A running container on a node is the hard case: shims, overlay mounts, netns bind mounts.
    const docker = nodeClient(info, 2);
    await pullImage(docker, info.baseImage!);
    const c = await docker.createContainer({ Image: info.baseImage!, Cmd: ["sleep", "600"] });
    await c.start();
    await down(l);
    assert.deepEqual(await leftovers(l), []);
    await down(l);
    assert.deepEqual(await leftovers(l), []);
  });
});
