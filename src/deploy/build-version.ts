// Where and how a version is built: on the least busy healthy node of the app's pool,
// within that node's build slots, from the app's platform image.
import { BadRequestError, ServiceUnavailableError } from "../domain/errors.js";
import type { CheckedArchive } from "../build/archive.js";
import { buildAppImageLocally, pushAppImage } from "../build/app-image.js";
import { waitingLine } from "../build/slots.js";
import { buildPlatformImage } from "../build/platform-image.js";
import type { App, NodeRecord } from "../store/types.js";
import type { DeployCtx } from "./context.js";

export type BuildSource =
  | { kind: "archive"; archive: CheckedArchive }
  | { kind: "image"; image: string }
  | { kind: "dockerfile"; dockerfile: string; archive?: CheckedArchive };

export interface BuiltVersion {
  image: string;
  /** The engine's id of the image on the build node (what every node must run). */
  imageId: string;
  processes: Record<string, string>;
  manifest: Record<string, unknown>;
  /** The node that built it: it has the image before the push ends. */
  node: string;
  /**
   * Settles when the push to the cluster registry ends (rejects when it failed). Always
   * handled, so a caller may await it late without an unhandled rejection.
   */
  pushed: Promise<void>;
}

/** A healthy, enabled node of the pool with the fewest builds running. */
export async function buildNode(dc: DeployCtx, pool: string): Promise<NodeRecord> {
  const nodes = (await dc.ctx.store.listNodes({ pool })).filter(
    (n) => !n.disabled && n.health.state !== "unhealthy",
  );
  if (nodes.length === 0)
    throw new ServiceUnavailableError(
      `No healthy node in pool "${pool}" to build on: add one with wharf node add pool=${pool} address=... --register.`,
    );
  const busy = (n: NodeRecord) => {
    const u = dc.slots.usage(n.address);
    return u.running + u.waiting;
  };
  return nodes.reduce((best, n) => (busy(n) < busy(best) ? n : best));
}

async function platformImage(dc: DeployCtx, app: App): Promise<string> {
  const pf = await dc.ctx.store.findPlatform(app.platform);
  if (!pf?.image)
    throw new BadRequestError(
      `Platform "${app.platform}" has no image yet: build it with wharf platform update ${app.platform} -d Dockerfile.`,
    );
  if (!app.platformVersion) return pf.image;
  const pinned = pf.images.find((i) => i.endsWith(`:${app.platformVersion}`));
  if (!pinned)
    throw new BadRequestError(
      `Platform "${app.platform}" has no version ${app.platformVersion}: see platform info.`,
    );
  return pinned;
}

export async function buildVersion(
  dc: DeployCtx,
  app: App,
  version: number,
  src: BuildSource,
  out: (line: string) => void,
  signal: AbortSignal,
): Promise<BuiltVersion> {
  const node = await buildNode(dc, app.pool);
  const release = await dc.slots.acquire(
    node.address,
    { onWait: (ahead) => out(`${waitingLine(node.engineName || node.address, ahead)}\n`) },
    signal,
  );
  let req: Parameters<typeof buildAppImageLocally>[0];
  let built: Awaited<ReturnType<typeof buildAppImageLocally>>;
  try {
    out(`---- Building on ${node.engineName || node.address} ----\n`);
    req = {
      engine: dc.engines.engineFor(node.address),
      node: node.engineName || node.address,
      // Build output never sees app env, but mask its values anyway should a step print one.
      secrets: (await dc.ctx.store.getAppEnv(app.name)).map((e) => e.value).filter((v) => v.length >= 4),
      registry: dc.settings.registry,
      app: app.name,
      version,
      source: src,
      platformImage: src.kind === "archive" ? await platformImage(dc, app) : "",
      caBundle: dc.settings.caBundle,
      limits: { memory: dc.settings.buildMemory, cpuMilli: dc.settings.buildCpuMilli },
      log: (line: string) => out(line.endsWith("\n") ? line : `${line}\n`),
      signal,
    };
    built = await buildAppImageLocally(req);
  } catch (err) {
    release();
    throw err;
  }
  const imageId = (
    await req.engine.images.inspect(built.image).catch((err: unknown) => {
      release();
      throw err;
    })
  ).Id;
  // The push runs while the rollout starts units on this node, which has the image already;
  // the build slot stays taken until it ends.
  const pushed = pushAppImage(req, built.image)
    .then(() => undefined)
    .finally(release);
  pushed.catch(() => undefined);
  return {
    image: built.image,
    imageId,
    processes: built.manifest.processes,
    manifest: { ...built.manifest } as Record<string, unknown>,
    node: node.address,
    pushed,
  };
}

/** Builds a platform image on a healthy node and pushes it; returns its reference. */
export async function buildPlatform(
  dc: DeployCtx,
  name: string,
  dockerfile: string,
  out: (line: string) => void,
): Promise<string> {
  const nodes = (await dc.ctx.store.listNodes()).filter((n) => !n.disabled && n.health.state !== "unhealthy");
  if (nodes.length === 0)
    throw new ServiceUnavailableError(
      "No healthy node to build the platform on: add a node first (wharf node add).",
    );
  const node = nodes[0]!;
  const current = await dc.ctx.store.findPlatform(name);
  const release = await dc.slots.acquire(node.address, {
    onWait: (ahead) => out(`${waitingLine(node.engineName || node.address, ahead)}\n`),
  });
  try {
    return await buildPlatformImage(dc.engines.engineFor(node.address), {
      name,
      dockerfile,
      registry: dc.settings.registry,
      baseImage: dc.settings.baseImage,
      caBundle: dc.settings.caBundle,
      version: (current?.version ?? 0) + 1,
      limits: { memoryBytes: dc.settings.buildMemory },
      onLine: (line) => out(line.endsWith("\n") ? line : `${line}\n`),
    });
  } finally {
    release();
  }
}
