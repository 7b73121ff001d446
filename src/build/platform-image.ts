// Building a platform image on a node from its Dockerfile (tsuru's `dockerfile_content`)
// and pushing it to the cluster registry, so every node can pull it.
import type Docker from "dockerode";
import { Readable } from "node:stream";
import { caBundleContextFile, injectCaBundle } from "./ca-bundle.js";
import { buildContextTar, type ContextFile } from "./context.js";
import { followProgress, pushImage } from "../cluster/docker/image.js";
import { buildClient } from "./build-run.js";

export interface PlatformBuild {
  /** Platform name (already validated by the caller). */
  name: string;
  dockerfile: string;
  /** Registry host:port the image is pushed to. */
  registry: string;
  /** Base image reference as nodes pull it (passed as the BASE_IMAGE build arg). */
  baseImage: string;
  /** PEM bundle build steps trust (see ca-bundle.ts); omitted only when the caller has none. */
  caBundle?: Buffer;
  version: number;
  /** CPU and memory limits of the build, so a heavy build cannot take the node down. */
  limits?: { memoryBytes?: number; cpuShares?: number };
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export function platformImageRef(registry: string, name: string, version: number): string {
  return `${registry}/wharf/platform-${name}:v${version}`;
}

export async function buildPlatformImage(engine: Docker, b: PlatformBuild): Promise<string> {
  // Without the engine client's idle timeout: a silent step (apt-get) may run for minutes.
  const docker = buildClient(engine);
  const ref = platformImageRef(b.registry, b.name, b.version);
  const files: ContextFile[] = [
    { name: "Dockerfile", content: b.caBundle ? injectCaBundle(b.dockerfile) : b.dockerfile },
  ];
  if (b.caBundle) files.push(caBundleContextFile(b.caBundle));
  const stream = await docker.buildImage(Readable.from([await buildContextTar(files)]), {
    t: ref,
    rm: true,
    forcerm: true,
    pull: false,
    buildargs: { BASE_IMAGE: b.baseImage },
    memory: b.limits?.memoryBytes,
    cpushares: b.limits?.cpuShares,
    labels: { "wharf.platform": b.name, "wharf.platform.version": String(b.version) },
    abortSignal: b.signal,
  } as Docker.ImageBuildOptions);
  await followProgress(docker, stream, b.onLine);
  await pushImage(docker, ref, b.onLine);
  return ref;
}
