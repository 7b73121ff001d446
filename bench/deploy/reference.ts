// The reference side: what a person would do by hand on the same node engine. (a) a plain
// `docker build` of a Dockerfile equivalent to Wharf's generated one (same platform image,
// same COPY, same build step) + `docker run -d -p` + first 200; (b) `docker run -d` of an
// image already on the node + first 200. Same dockerode client kind (TLS API) as Wharf uses.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type Docker from "dockerode";
import { followProgress } from "../../src/cluster/docker/images.js";
import { pollUntil } from "./probe.js";
import { PLAN_MEMORY } from "./setup.js";

const PORT = 8888;
export const REF_LABEL = "wharf-bench.ref";

export interface RefTimes {
  /** total: start → first 200 */
  ms: number;
  /** marks (ms since start): built, started */
  marks: Record<string, number>;
  containerId: string;
}

/**
 * What a person writes by hand: FROM the platform image, COPY the code, RUN its build step.
 * The platform image already sets WORKDIR /home/application/current and USER application,
 * so the result is the same image Wharf builds, minus Wharf's CA bundle and labels; Wharf's
 * repeated WORKDIR/USER and its LABEL steps are Wharf's own cost.
 */
export function referenceDockerfile(platformImage: string): string {
  return [
    `FROM ${platformImage}`,
    `COPY --chown=application:application . /home/application/current/`,
    `RUN /var/lib/wharf/build`,
    "",
  ].join("\n");
}

/** `docker build -t tag dir` through the API, as the classic builder (what Wharf uses too). */
export async function dockerBuild(
  node: Docker,
  dir: string,
  tag: string,
  platformImage: string,
): Promise<void> {
  writeFileSync(join(dir, "Dockerfile"), referenceDockerfile(platformImage));
  const stream = await node.buildImage(
    { context: dir, src: readdirSync(dir) },
    { t: tag, rm: true, forcerm: true, pull: false, labels: { [REF_LABEL]: "true" } },
  );
  await followProgress(node, stream);
}

/** `docker run -d --init -m M -p ip::8888 -e PORT=8888 image sh -c CMD`; returns id and address. */
export async function dockerRun(
  node: Docker,
  nodeIp: string,
  image: string,
  command: string,
): Promise<{ id: string; url: string }> {
  const c = await node.createContainer({
    Image: image,
    Entrypoint: ["/bin/sh", "-c"],
    Cmd: [command],
    Env: [`PORT=${PORT}`],
    ExposedPorts: { [`${PORT}/tcp`]: {} },
    Labels: { [REF_LABEL]: "true" },
    HostConfig: {
      Init: true,
      Memory: PLAN_MEMORY,
      MemorySwap: PLAN_MEMORY,
      PortBindings: { [`${PORT}/tcp`]: [{ HostIp: nodeIp, HostPort: "" }] },
    },
  });
  await c.start();
  const info = await c.inspect();
  const port = info.NetworkSettings.Ports[`${PORT}/tcp`]?.[0]?.HostPort;
  if (!port) throw new Error(`reference container ${c.id} has no published port`);
  return { id: c.id, url: `http://${nodeIp}:${port}/` };
}

/** (a) build + run + first 200 */
export async function refBuildAndRun(
  node: Docker,
  nodeIp: string,
  dir: string,
  tag: string,
  platformImage: string,
  command: string,
): Promise<RefTimes> {
  const t0 = performance.now();
  await dockerBuild(node, dir, tag, platformImage);
  const built = performance.now() - t0;
  const { id, url } = await dockerRun(node, nodeIp, tag, command);
  const started = performance.now() - t0;
  const served = (await pollUntil(url, (a) => a.status === 200)) - t0;
  return { ms: served, marks: { built, started }, containerId: id };
}

/** (b) run + first 200 of an image already on the node */
export async function refRun(
  node: Docker,
  nodeIp: string,
  image: string,
  command: string,
): Promise<RefTimes> {
  const t0 = performance.now();
  const { id, url } = await dockerRun(node, nodeIp, image, command);
  const started = performance.now() - t0;
  const served = (await pollUntil(url, (a) => a.status === 200)) - t0;
  return { ms: served, marks: { started }, containerId: id };
}

/** Removes every reference container and image (not timed). */
export async function cleanReference(node: Docker): Promise<void> {
  const filters = JSON.stringify({ label: [`${REF_LABEL}=true`] });
  for (const c of await node.listContainers({ all: true, filters }))
    await node.getContainer(c.Id).remove({ force: true });
  for (const i of await node.listImages({ filters }))
    await node
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => undefined);
}
