// A bundled platform built on one node and pushed to the registry runs on another node.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { down, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { buildPlatformImage } from "../../../src/build/platform-image.js";
import { loadCaBundle, DEFAULT_BUILD_CA_BUNDLE } from "../../../src/build/ca-bundle.js";
import { pullImage } from "../../support/engines.js";
import { nodeClient, testLayout } from "../../support/dev-cluster.js";
import { engineOf } from "../../support/engines.js";

const l = testLayout();

describe("platform images", () => {
  let info: DevClusterInfo;
  before(async () => {
    info = await up(2, l);
  });
  after(async () => {
    await down(l);
  });

  test("the static platform builds on node 1, is pushed, and serves a page from node 2 on $PORT", async () => {
    const builder = nodeClient(info, 0);
    await pullImage(builder, info.baseImage!);
    const lines: string[] = [];
    const ref = await buildPlatformImage(engineOf(builder), {
      name: "static",
      dockerfile: readFileSync("platforms/static/Dockerfile", "utf8"),
      registry: info.registry,
      baseImage: info.baseImage!,
      caBundle: await loadCaBundle(DEFAULT_BUILD_CA_BUNDLE),
      version: 1,
      limits: { memoryBytes: 1024 * 2 ** 20 },
      onLine: (l) => lines.push(l),
    });
    assert.equal(ref, `${info.registry}/wharf/platform-static:v1`);
    assert.ok(
      lines.some((l) => /nginx-light/.test(l)),
      "build output is streamed",
    );

    const runner = nodeClient(info, 1);
    await pullImage(runner, ref);
    const c = await runner.createContainer({
      Image: ref,
      Cmd: ["sh", "-c", "echo '<p>platform ok</p>' > index.html && exec /var/lib/wharf/start"],
      Env: ["PORT=9000"],
      ExposedPorts: { "9000/tcp": {} },
      HostConfig: { PortBindings: { "9000/tcp": [{ HostPort: "19000" }] } },
    });
    try {
      await c.start();
      const inspect = await c.inspect();
      assert.equal(inspect.Config.User, "application", "units of a platform run unprivileged");
      let body = "";
      for (let i = 0; i < 100 && !body.includes("platform ok"); i++) {
        body = await fetch(`http://${info.nodes[1]!.address}:19000/`)
          .then((r) => r.text())
          .catch(() => "");
        if (!body.includes("platform ok")) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(body, /platform ok/);
    } finally {
      await c.remove({ force: true });
    }
  });
});
