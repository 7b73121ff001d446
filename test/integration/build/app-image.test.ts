// App images on the 3-node test cluster: built on node 1 from an archive on a tiny busybox
// platform that keeps the platform contract, pushed, and run from node 2; image and
// Dockerfile deploys; cancelled and failing builds leave no build container behind.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { down, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { unpackUpload, type CheckedArchive } from "../../../src/build/archive.js";
import { buildAppImage } from "../../../src/build/app-image.js";
import { BuildCancelledError, BuildFailedError } from "../../../src/build/build-run.js";
import { buildPlatformImage } from "../../../src/build/platform-image.js";
import { DEFAULT_BUILD_CA_BUNDLE, loadCaBundle } from "../../../src/build/ca-bundle.js";
import { PLATFORM_START } from "../../../src/build/manifest.js";
import { pullImage } from "../../support/engines.js";
import { BadRequestError } from "../../../src/domain/errors.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { nodeClient, testLayout } from "../../support/dev-cluster.js";
import { buildContainers, runOnce } from "../../support/containers.js";
import { engineOf } from "../../support/engines.js";

const l = testLayout();
const BUSYBOX = "wharf-test/busybox:appimage";

// The platform contract (platforms/README.md) on busybox: user application (uid 1000; busybox-
// static has no adduser, so passwd and group are written directly), the code directory, a
// build step that leaves a mark, and a start script serving the code on $PORT.
const PLATFORM_DOCKERFILE = `ARG BASE_IMAGE
FROM \${BASE_IMAGE}
RUN mkdir -p /etc /tmp && chmod 1777 /tmp \\
 && printf 'root:x:0:0:root:/root:/bin/sh\\napplication:x:1000:1000::/home/application:/bin/sh\\n' > /etc/passwd \\
 && printf 'root:x:0:\\napplication:x:1000:\\n' > /etc/group \\
 && mkdir -p /home/application/current /var/lib/wharf \\
 && printf '#!/bin/sh\\necho "platform build ran as $(id -un)"\\ntouch .platform-built\\n' > /var/lib/wharf/build \\
 && printf '#!/bin/sh\\nexec httpd -f -p "$PORT" -h /home/application/current\\n' > /var/lib/wharf/start \\
 && chmod 755 /var/lib/wharf/build /var/lib/wharf/start && chown -R application:application /home/application
ENV PORT=8888
WORKDIR /home/application/current
USER application
`;

async function gzTar(files: Array<{ name: string; content?: string; linkname?: string }>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => p.on("end", () => r()));
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (f.linkname) p.entry({ name: f.name, type: "symlink", linkname: f.linkname }, cb);
      else p.entry({ name: f.name, mode: 0o644 }, f.content ?? "", cb);
    });
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

describe("app images", () => {
  let info: DevClusterInfo;
  let n1: Docker;
  let n2: Docker;
  let n3: Docker;
  let platform: string;
  let caBundle: Buffer;
  let tmp: string;
  const archives: CheckedArchive[] = [];

  const upload = async (files: Parameters<typeof gzTar>[0]) => {
    const a = await unpackUpload(await gzTar(files), {
      limits: { maxBytes: 1 << 20, maxFiles: 100 },
      tmpDir: tmp,
    });
    archives.push(a);
    return a;
  };

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), "wharf-app-image-"));
    info = await up(3, l);
    [n1, n2, n3] = [0, 1, 2].map((i) => nodeClient(info, i)) as [Docker, Docker, Docker];
    caBundle = await loadCaBundle(DEFAULT_BUILD_CA_BUNDLE);
    await buildBusyboxImage(n1, BUSYBOX);
    platform = await buildPlatformImage(engineOf(n1), {
      name: "bb",
      dockerfile: PLATFORM_DOCKERFILE,
      registry: info.registry,
      baseImage: BUSYBOX,
      caBundle,
      version: 1,
    });
  });
  after(async () => {
    for (const a of archives) await a.dispose();
    await rm(tmp, { recursive: true, force: true });
    await down(l);
  });

  test("an archive builds on node 1 with the platform step and hooks.build, and runs from node 2 with its process labels", async () => {
    const archive = await upload([
      { name: "Procfile", content: "web: httpd -f -p $PORT -h .\nworker: sleep 1000\n" },
      {
        name: "tsuru.yaml",
        content:
          "hooks:\n  build:\n    - echo hook-ran > hook.txt\n    - id -un >> hook.txt\n    - echo token=sup3rs3cret\n",
      },
      { name: "index.html", content: "hello from v1" },
      { name: "home.html", linkname: "index.html" },
    ]);
    const lines: string[] = [];
    const r = await buildAppImage({
      engine: engineOf(n1),
      node: "n1",
      registry: info.registry,
      app: "bbapp",
      version: 1,
      source: { kind: "archive", archive },
      platformImage: platform,
      caBundle,
      limits: { memory: 256 * 2 ** 20, cpuMilli: 1000 },
      log: (line) => lines.push(line),
      secrets: ["sup3rs3cret"],
    });
    assert.equal(r.image, `${info.registry}/bbapp:v1`);
    assert.match(r.digest ?? "", /^sha256:[0-9a-f]{64}$/);
    const processes = { web: "httpd -f -p $PORT -h .", worker: "sleep 1000" };
    assert.deepEqual(r.manifest.processes, processes);
    assert.deepEqual(r.manifest.hooks.build.length, 3);
    assert.ok(lines.includes("platform build ran as application"), "the platform step's output is streamed");
    assert.ok(lines.includes("token=*****"), "the hook's output is streamed with the secret masked");
    assert.ok(!lines.some((x) => x.includes("sup3rs3cret")), "no line carries the secret value");

    await pullImage(n2, r.image);
    const labels = (await n2.getImage(r.image).inspect()).Config.Labels ?? {};
    assert.equal(labels["wharf.app"], "bbapp");
    assert.deepEqual(JSON.parse(labels["wharf.processes"]!), processes);
    // The version is the tag's: a label of its own would be a step container on every build.
    assert.equal(labels["wharf.version"], undefined);
    const steps = lines.filter((x) => /^Step \d+\/\d+ :/.test(x));
    assert.match(steps.at(-1)!, /: RUN .*echo token=/, "the last step is the last hook");
    const out = await runOnce(n2, r.image, [
      "sh",
      "-c",
      "cat hook.txt; stat -c %U index.html .platform-built; readlink home.html; cat home.html",
    ]);
    assert.equal(out.trim(), "hook-ran\napplication\napplication\napplication\nindex.html\nhello from v1");
    assert.deepEqual(await buildContainers(n1), [], "no build container is left on node 1");
  });

  test("without a Procfile the web process is the platform's start script, which serves the code on $PORT from node 2", async () => {
    const archive = await upload([{ name: "index.html", content: "served by the platform" }]);
    const r = await buildAppImage({
      engine: engineOf(n1),
      registry: info.registry,
      app: "plain",
      version: 3,
      source: { kind: "archive", archive },
      platformImage: platform,
      log: () => undefined,
    });
    assert.deepEqual(r.manifest.processes, { web: PLATFORM_START });
    await pullImage(n2, r.image);
    const c = await n2.createContainer({
      Image: r.image,
      Cmd: ["/bin/sh", "-c", `exec ${r.manifest.processes.web}`],
      Env: ["PORT=9100"],
      ExposedPorts: { "9100/tcp": {} },
      HostConfig: { PortBindings: { "9100/tcp": [{ HostPort: "19100" }] } },
    });
    try {
      await c.start();
      let body = "";
      for (let i = 0; i < 100 && !body.includes("served"); i++) {
        body = await fetch(`http://${info.nodes[1]!.address}:19100/index.html`)
          .then((res) => res.text())
          .catch(() => "");
        if (!body.includes("served")) await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(body, "served by the platform");
    } finally {
      await c.remove({ force: true });
    }
  });

  test("an image deploy re-tags a cluster registry image or a node's image and never pulls from elsewhere", async () => {
    const fromRegistry = await buildAppImage({
      engine: engineOf(n3),
      registry: info.registry,
      app: "imgapp",
      version: 1,
      source: { kind: "image", image: `${info.registry}/bbapp:v1` },
      log: () => undefined,
    });
    assert.equal(fromRegistry.image, `${info.registry}/imgapp:v1`);
    assert.deepEqual(fromRegistry.manifest.processes, {
      web: "httpd -f -p $PORT -h .",
      worker: "sleep 1000",
    });
    // bbapp:v1 carries the archive's tsuru.yaml in /home/application/current; its hooks run
    // again in the image (as in tsuru), which app-image-deploy.test.ts covers.
    assert.equal(fromRegistry.manifest.hooks.build.length, 3, "the image's tsuru.yaml is read");
    assert.deepEqual(await buildContainers(n3), [], "the container it was read from is gone");
    await pullImage(n2, fromRegistry.image);
    assert.match(await runOnce(n2, fromRegistry.image, ["cat", "index.html"]), /hello from v1/);

    const local = await buildAppImage({
      engine: engineOf(n1),
      registry: info.registry,
      app: "imgapp",
      version: 2,
      source: { kind: "image", image: BUSYBOX },
      log: () => undefined,
    });
    assert.deepEqual(local.manifest.processes, { web: "/bin/sh" }, "entrypoint + cmd become the web process");
    assert.equal(local.manifest.healthcheck, undefined, "an image without tsuru.yaml has no healthcheck");

    const refused = async (image: string, re: RegExp) =>
      assert.rejects(
        buildAppImage({
          engine: engineOf(n1),
          registry: info.registry,
          app: "imgapp",
          version: 3,
          source: { kind: "image", image },
          log: () => undefined,
        }),
        (e: unknown) => e instanceof BadRequestError && re.test(e.message),
      );
    await refused("docker.io/library/nginx:latest", /is not in the cluster registry/);
    await refused("nosuch/image:1", /neither in the cluster registry .* nor on node/);
    await refused("UPPER/Case", /not a valid image reference/);
  });

  test("a Dockerfile deploy builds the user's Dockerfile with the archive as context and runs its CMD from node 2", async () => {
    const archive = await upload([
      { name: "data.txt", content: "from the context\n" },
      { name: "tsuru.yaml", content: "hooks:\n  build: ['echo hooked >> /tmp/built.txt']\n" },
    ]);
    const r = await buildAppImage({
      engine: engineOf(n1),
      registry: info.registry,
      app: "dfapp",
      version: 1,
      source: {
        kind: "dockerfile",
        dockerfile: `FROM ${BUSYBOX}\nCOPY data.txt /tmp/data.txt\nRUN cat /tmp/data.txt > /tmp/built.txt\nCMD ["cat", "/tmp/built.txt"]\n`,
        archive,
      },
      caBundle,
      log: () => undefined,
    });
    assert.deepEqual(r.manifest.processes, { web: "cat /tmp/built.txt" });
    await pullImage(n2, r.image);
    assert.equal((await runOnce(n2, r.image)).trim(), "from the context\nhooked");
  });

  test("a cancelled build stops at once and leaves no build container on the node", async () => {
    const archive = await upload([
      { name: "tsuru.yaml", content: "hooks:\n  build: ['echo long-step-started; sleep 300']\n" },
    ]);
    const ac = new AbortController();
    await assert.rejects(
      buildAppImage({
        engine: engineOf(n1),
        registry: info.registry,
        app: "slow",
        version: 1,
        source: { kind: "archive", archive },
        platformImage: platform,
        log: (line) => {
          if (line.includes("long-step-started")) ac.abort(new Error("user interrupted the deploy"));
        },
        signal: ac.signal,
      }),
      BuildCancelledError,
    );
    assert.equal(ac.signal.aborted, true, "the build got as far as the long step");
    assert.deepEqual(await buildContainers(n1), [], "the step container is gone");
    const sleeping = (await n1.listContainers()).filter((c) => c.Command.includes("sleep 300"));
    assert.deepEqual(sleeping, [], "nothing of the build is still running");
  });

  test("a failing build step rejects with a 400 carrying that step's output", async () => {
    const archive = await upload([
      { name: "tsuru.yaml", content: "hooks:\n  build: ['echo step-output-xyz; echo more >&2; exit 3']\n" },
    ]);
    await assert.rejects(
      buildAppImage({
        engine: engineOf(n1),
        registry: info.registry,
        app: "broken",
        version: 1,
        source: { kind: "archive", archive },
        platformImage: platform,
        log: () => undefined,
      }),
      (e: unknown) => {
        assert.ok(e instanceof BuildFailedError, String(e));
        assert.equal(e.status, 400);
        assert.ok(e.output.includes("step-output-xyz"), e.output.join("|"));
        assert.match(e.message, /non-zero code: 3[\s\S]*step-output-xyz/);
        return true;
      },
    );
    assert.deepEqual(await buildContainers(n1), [], "the failed step's container is removed");
  });
});
