// The reference as a person types it: Debian's docker CLI (docker.io) against the node's TLS
// port. Like `wharf`, each command is a process of its own, so client start-up, the TLS
// handshake and the CLI's API version check count on this side too. The in-process Engine API
// variant in reference.ts is the stricter comparison (no client process at all).
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { DevClusterInfo } from "../../src/cluster/dev/cluster.js";
import { pollUntil } from "./probe.js";
import { type RefTimes, REF_LABEL, referenceDockerfile } from "./reference.js";
import { PLAN_MEMORY } from "./setup.js";

// /usr/local/bin may hold another docker client; the reference is Debian's.
const DOCKER = "/usr/bin/docker";
const PORT = 8888;

export interface DockerCli {
  nodeIp: string;
  /** Runs `docker <args>` against the node; resolves with its stdout. */
  run(args: string[]): Promise<string>;
}

export function dockerCli(info: DevClusterInfo, configDir: string): DockerCli {
  if (!existsSync(DOCKER)) throw new Error(`${DOCKER} is missing: run scripts/host-setup.sh (docker.io)`);
  const node = info.nodes[0]!;
  const globals = [
    "--tlsverify",
    `--tlscacert=${info.tls.ca}`,
    `--tlscert=${info.tls.clientCert}`,
    `--tlskey=${info.tls.clientKey}`,
    "-H",
    `tcp://${node.dockerHost}:${node.dockerPort}`,
  ];
  // The classic builder, as Wharf uses; an empty config dir so no user settings apply.
  const env = { PATH: process.env.PATH ?? "", DOCKER_BUILDKIT: "0", DOCKER_CONFIG: configDir };
  return {
    nodeIp: node.address,
    run: (args) =>
      new Promise((resolve, reject) =>
        execFile(DOCKER, [...globals, ...args], { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
          err ? reject(new Error(`docker ${args[0]} failed: ${stderr || err.message}`)) : resolve(stdout),
        ),
      ),
  };
}

// A person picks a host port; each run takes a new one so a slow removal cannot collide.
let nextHostPort = 21000 + (process.pid % 500) * 20;

/** `docker run -d --init -m M -p ip:port:8888 -e PORT=8888 --entrypoint /bin/sh image -c CMD` */
async function cliRun(d: DockerCli, image: string, command: string): Promise<{ id: string; url: string }> {
  const hostPort = nextHostPort++;
  const mem = `${PLAN_MEMORY}b`;
  const id = (
    await d.run([
      "run",
      "-d",
      "--init",
      "-m",
      mem,
      "--memory-swap",
      mem,
      "-p",
      `${d.nodeIp}:${hostPort}:${PORT}`,
      "-e",
      `PORT=${PORT}`,
      "--label",
      `${REF_LABEL}=true`,
      "--entrypoint",
      "/bin/sh",
      image,
      "-c",
      command,
    ])
  ).trim();
  return { id, url: `http://${d.nodeIp}:${hostPort}/` };
}

/** (a) `docker build` + `docker run -d` + first 200 */
export async function cliBuildAndRun(
  d: DockerCli,
  dir: string,
  tag: string,
  platformImage: string,
  command: string,
): Promise<RefTimes> {
  writeFileSync(join(dir, "Dockerfile"), referenceDockerfile(platformImage));
  const t0 = performance.now();
  await d.run(["build", "-q", "-t", tag, "--label", `${REF_LABEL}=true`, dir]);
  const built = performance.now() - t0;
  const { id, url } = await cliRun(d, tag, command);
  const started = performance.now() - t0;
  const served = (await pollUntil(url, (a) => a.status === 200)) - t0;
  return { ms: served, marks: { built, started }, containerId: id };
}

/** (b) `docker run -d` of an image already on the node + first 200 */
export async function cliRunOnly(d: DockerCli, image: string, command: string): Promise<RefTimes> {
  const t0 = performance.now();
  const { id, url } = await cliRun(d, image, command);
  const started = performance.now() - t0;
  const served = (await pollUntil(url, (a) => a.status === 200)) - t0;
  return { ms: served, marks: { started }, containerId: id };
}
