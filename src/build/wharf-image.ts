// Wharf's own images (platforms, built-in services, the node agent): a Dockerfile built FROM
// the BASE_IMAGE build arg, with the CA bundle build steps trust (ca-bundle.ts), on one node,
// then pushed to the cluster registry so every node can pull it.
import { Readable } from "node:stream";
import type { Engine } from "../cluster/docker/engine.js";
import { caBundleContextFile, injectCaBundle } from "./ca-bundle.js";
import { buildContextTar, type ContextFile } from "./context.js";

export interface WharfImageBuild {
  ref: string;
  dockerfile: string;
  /** Other context files the Dockerfile copies. */
  files?: ContextFile[];
  /** Base image reference as nodes pull it. */
  baseImage: string;
  /** PEM bundle build steps trust; omitted only when the caller has none. */
  caBundle?: Buffer;
  labels: Record<string, string>;
  /** CPU and memory limits of the build, so a heavy build cannot take the node down. */
  limits?: { memoryBytes?: number; cpuShares?: number };
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** Builds `b.ref` on the node and pushes it; resolves with the reference. */
export async function buildAndPushWharfImage(engine: Engine, b: WharfImageBuild): Promise<string> {
  const files: ContextFile[] = [
    { name: "Dockerfile", content: b.caBundle ? injectCaBundle(b.dockerfile) : b.dockerfile },
    ...(b.files ?? []),
  ];
  if (b.caBundle) files.push(caBundleContextFile(b.caBundle));
  const progress = { ...(b.onLine ? { onLine: b.onLine } : {}), ...(b.signal ? { signal: b.signal } : {}) };
  await engine.images.build(
    Readable.from([await buildContextTar(files)]),
    {
      t: b.ref,
      rm: true,
      forcerm: true,
      pull: false,
      buildargs: { BASE_IMAGE: b.baseImage },
      ...(b.limits?.memoryBytes !== undefined ? { memory: b.limits.memoryBytes } : {}),
      ...(b.limits?.cpuShares !== undefined ? { cpushares: b.limits.cpuShares } : {}),
      labels: b.labels,
    },
    progress,
  );
  await engine.images.push(b.ref, progress);
  return b.ref;
}

/** Pulls `ref`; false when the registry does not have it (or cannot be reached: a build tells which). */
export async function pulledFromRegistry(engine: Engine, ref: string): Promise<boolean> {
  try {
    await engine.images.pull(ref);
    return true;
  } catch {
    return false;
  }
}
