// Building a platform image on a node from its Dockerfile (tsuru's `dockerfile_content`)
// and pushing it to the cluster registry, so every node can pull it.
import type { Engine } from "../cluster/docker/engine.js";
import { buildAndPushWharfImage } from "./wharf-image.js";

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

export function buildPlatformImage(engine: Engine, b: PlatformBuild): Promise<string> {
  return buildAndPushWharfImage(engine, {
    ref: platformImageRef(b.registry, b.name, b.version),
    dockerfile: b.dockerfile,
    baseImage: b.baseImage,
    ...(b.caBundle ? { caBundle: b.caBundle } : {}),
    labels: { "wharf.platform": b.name, "wharf.platform.version": String(b.version) },
    ...(b.limits ? { limits: b.limits } : {}),
    ...(b.onLine ? { onLine: b.onLine } : {}),
    ...(b.signal ? { signal: b.signal } : {}),
  });
}
