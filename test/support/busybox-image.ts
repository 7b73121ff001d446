// A tiny real image built here (no registry to pull from): Debian's static busybox, FROM scratch.
import type Docker from "dockerode";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { buildContextTar } from "../../src/build/context.js";
import { followProgress } from "./engines.js";

export async function buildBusyboxImage(docker: Docker, tag: string): Promise<void> {
  const context = await buildContextTar([
    {
      name: "Dockerfile",
      content:
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["/bin/sh"]\n',
    },
    { name: "busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
  ]);
  await followProgress(docker, await docker.buildImage(Readable.from([context]), { t: tag }));
}
