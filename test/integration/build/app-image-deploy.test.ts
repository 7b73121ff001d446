// Image deploys on the 3-node test cluster, from user images built on node 1: processes from a
// Procfile inside the image (or entrypoint + cmd without one), and tsuru.yaml's hooks.build run
// in a container of the image and committed as the version's image, which runs from node 2.
// A failing or cancelled hook leaves no container and no version image behind.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { down, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { buildAppImage } from "../../../src/build/app-image.js";
import { BuildCancelledError, BuildFailedError } from "../../../src/build/build-run.js";
import { buildContextTar, type ContextFile } from "../../../src/build/context.js";
import { followProgress, pullImage } from "../../support/engines.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { nodeClient, testLayout } from "../../support/dev-cluster.js";
import { buildContainers, runOnce } from "../../support/containers.js";
import { engineOf } from "../../support/engines.js";

const l = testLayout();
const BUSYBOX = "wharf-test/busybox:imagedeploy";

async function buildUserImage(docker: Docker, tag: string, files: ContextFile[]): Promise<void> {
  const context = await buildContextTar(files);
  await followProgress(docker, await docker.buildImage(Readable.from([context]), { t: tag }));
}

async function exists(docker: Docker, image: string): Promise<boolean> {
  return docker
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return false;
      throw err;
    });
}

// A user image whose tsuru.yaml has the given build hooks; it runs as uid 1000 in /work, and
// its entrypoint + cmd print what the hook wrote there.
async function hookImage(docker: Docker, tag: string, hooks: string[]): Promise<void> {
  await buildUserImage(docker, tag, [
    {
      name: "Dockerfile",
      content: `FROM ${BUSYBOX}
RUN mkdir -p /work /home/application/current && chown 1000:1000 /work
COPY tsuru.yaml /home/application/current/tsuru.yaml
ENV GREETING=from-the-image
USER 1000
WORKDIR /work
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /work/hook.txt"]
`,
    },
    {
      name: "tsuru.yaml",
      content: `hooks:\n  build:\n${hooks.map((h) => `    - ${JSON.stringify(h)}\n`).join("")}`,
    },
  ]);
}

describe("image deploys", () => {
  let info: DevClusterInfo;
  let n1: Docker;
  let n2: Docker;

  const deploy = (app: string, image: string, extra: Partial<Parameters<typeof buildAppImage>[0]> = {}) =>
    buildAppImage({
      engine: engineOf(n1),
      node: "n1",
      registry: info.registry,
      app,
      version: 1,
      source: { kind: "image", image },
      log: () => undefined,
      ...extra,
    });

  before(async () => {
    info = await up(3, l);
    [n1, n2] = [0, 1].map((i) => nodeClient(info, i)) as [Docker, Docker];
    await buildBusyboxImage(n1, BUSYBOX);
  });
  after(async () => {
    await down(l);
  });

  test("a Procfile in the image gives its processes; a symlinked Procfile is passed over and the wharf.procfile label loses to the file", async () => {
    const image = "user/procfile-app:1";
    await buildUserImage(n1, image, [
      {
        name: "Dockerfile",
        content: `FROM ${BUSYBOX}
RUN mkdir -p /app/user /home/application/current && ln -s /etc/passwd /home/application/current/Procfile
COPY Procfile /app/user/Procfile
LABEL wharf.procfile="web: from-the-label"
CMD ["httpd", "-f", "-p", "8080"]
`,
      },
      { name: "Procfile", content: "web: httpd -f -p $PORT -h /app/user\nworker: sleep 1000\n" },
    ]);
    const lines: string[] = [];
    const r = await deploy("procapp", image, { log: (line) => lines.push(line) });
    assert.deepEqual(r.manifest.processes, { web: "httpd -f -p $PORT -h /app/user", worker: "sleep 1000" });
    assert.ok(lines.includes("---- Getting process from image ----"), lines.join("\n"));
    assert.ok(lines.includes("  ---> Found /app/user/Procfile"), lines.join("\n"));
    assert.ok(
      lines.includes(`  ---> Process "worker" found with commands: ["sleep 1000"]`),
      lines.join("\n"),
    );
    assert.ok(!lines.includes("---- Running build hooks ----"), "no tsuru.yaml, no hooks");
    // Without hooks the version's image is the user's image, re-tagged.
    assert.equal((await n1.getImage(r.image).inspect()).Id, (await n1.getImage(image).inspect()).Id);
    assert.deepEqual(await buildContainers(n1), [], "the container the files were read from is gone");
  });

  test("an image without a Procfile falls back to entrypoint + cmd as web", async () => {
    const image = "user/cmd-app:1";
    await buildUserImage(n1, image, [
      { name: "Dockerfile", content: `FROM ${BUSYBOX}\nENTRYPOINT ["httpd", "-f"]\nCMD ["-p", "8080"]\n` },
    ]);
    const lines: string[] = [];
    const r = await deploy("cmdapp", image, { log: (line) => lines.push(line) });
    assert.deepEqual(r.manifest.processes, { web: "httpd -f -p 8080" });
    assert.ok(lines.includes("  ---> Procfile not found, using entrypoint and cmd"), lines.join("\n"));
  });

  test("hooks.build runs in the image as its user, under the build limits, streamed with secrets masked, and the committed image runs from node 2 with the image's own entrypoint, cmd, user and env", async () => {
    const image = "user/hook-app:1";
    await hookImage(n1, image, [
      'echo "hook ran as $(id -u) in $(pwd) with GREETING=$GREETING" > hook.txt',
      "echo hook-output token=sup3rs3cret",
      "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]);
    const lines: string[] = [];
    const r = await deploy("hookapp", image, {
      log: (line) => lines.push(line),
      secrets: ["sup3rs3cret"],
      limits: { memory: 64 * 2 ** 20, cpuMilli: 500 },
    });
    assert.ok(lines.includes("---- Running build hooks ----"), lines.join("\n"));
    assert.ok(lines.includes("hook-output token=*****"), "the hook's output is streamed, masked");
    assert.ok(!lines.some((x) => x.includes("sup3rs3cret")), "no line carries the secret value");
    assert.ok(lines.includes(String(64 * 2 ** 20)), "the hook container has the build memory limit");
    assert.equal(r.manifest.hooks.build.length, 3);
    assert.deepEqual(r.manifest.processes, { web: "/bin/sh -c 'cat /work/hook.txt'" });
    assert.deepEqual(await buildContainers(n1), [], "the hook container is removed");

    // buildAppImage pushed the committed image: node 2 pulls it and runs its original command.
    await pullImage(n2, r.image);
    const committed = (await n2.getImage(r.image).inspect()).Config;
    const original = (await n1.getImage(image).inspect()).Config;
    assert.deepEqual(committed.Entrypoint, original.Entrypoint);
    assert.deepEqual(committed.Cmd, original.Cmd);
    assert.equal(committed.User, "1000");
    assert.equal(committed.WorkingDir, "/work");
    assert.deepEqual(committed.Env, original.Env, "no app env or other variables are added");
    assert.equal(
      (await runOnce(n2, r.image)).trim(),
      "hook ran as 1000 in /work with GREETING=from-the-image",
    );
  });

  test("a failing hook fails the deploy with a 400 naming its exit code and output, and leaves no container or version image", async () => {
    const image = "user/broken-hook:1";
    await hookImage(n1, image, [
      "echo first-ok",
      "echo hook-failed-xyz; echo to-stderr >&2; exit 7",
      "echo never",
    ]);
    const lines: string[] = [];
    await assert.rejects(deploy("brokenhook", image, { log: (line) => lines.push(line) }), (e: unknown) => {
      assert.ok(e instanceof BuildFailedError, String(e));
      assert.equal(e.status, 400);
      assert.match(e.message, /hooks\.build exited with code 7[\s\S]*hook-failed-xyz/);
      assert.ok(e.output.includes("to-stderr"), e.output.join("|"));
      return true;
    });
    assert.ok(lines.includes("first-ok") && !lines.includes("never"), "the hooks stop at the first failure");
    assert.deepEqual(await buildContainers(n1), [], "the hook container is removed");
    assert.equal(await exists(n1, `${info.registry}/brokenhook:v1`), false, "no version image is tagged");
  });

  test("a cancelled hook stops at once and leaves nothing running", async () => {
    const image = "user/slow-hook:1";
    await hookImage(n1, image, ["echo hook-sleeping; sleep 300"]);
    const ac = new AbortController();
    const started = Date.now();
    await assert.rejects(
      deploy("slowhook", image, {
        log: (line) => {
          if (line === "hook-sleeping") ac.abort(new Error("user interrupted the deploy"));
        },
        signal: ac.signal,
      }),
      BuildCancelledError,
    );
    assert.equal(ac.signal.aborted, true, "the hook got as far as its sleep");
    assert.ok(Date.now() - started < 30_000, "the cancel did not wait for the hook");
    assert.deepEqual(await buildContainers(n1), [], "the hook container is gone");
    assert.equal(await exists(n1, `${info.registry}/slowhook:v1`), false, "no version image is tagged");
  });
});
