// Turning a deploy's source into `<registry>/<app>:v<N>` on one node and pushing it, so any
// node can pull it. Three sources, as tsuru's deploy takes them:
//  - archive: platform image + code. A generated Dockerfile copies the code into
//    /home/application/current (owned by `application`), runs the platform's
//    /var/lib/wharf/build, then each hooks.build command as its own step.
//  - image: an image from the cluster registry or already on the node, re-tagged, or, when
//    its tsuru.yaml has hooks.build, the hooks run in it and the result committed (image-hooks.ts).
//  - dockerfile: the user's Dockerfile with the archive (if any) as its context.
// App env is never given to a build (no build args), so build output holds no app secrets;
// `secrets` masks any further values the caller knows of, as defence in depth.
import type { Engine } from "../cluster/docker/engine.js";
import { Readable } from "node:stream";
import { BadRequestError } from "../domain/errors.js";
import type { CheckedArchive } from "./archive.js";
import {
  ensureImage,
  labelStages,
  masker,
  pushWithDigest,
  runBuild,
  BuildCancelledError,
  type BuildLimits,
} from "./build-run.js";
import { caBundleContextFile, injectCaBundle } from "./ca-bundle.js";
import { buildContextTar, type ContextFile } from "./context.js";
import { deployImage } from "./image-deploy.js";
import { processesFromImage, PROCESSES_LABEL } from "./image-source.js";
import { APP_YAML_NAMES, buildManifest, type AppManifest } from "./manifest.js";

export type AppBuildSource =
  | { kind: "archive"; archive: CheckedArchive }
  | { kind: "image"; image: string }
  | { kind: "dockerfile"; dockerfile: string; archive?: CheckedArchive };

export interface AppBuildRequest {
  /** The node engine the build runs on. */
  engine: Engine;
  /** The node's name, for messages only. */
  node?: string;
  /** Cluster registry host:port. */
  registry: string;
  app: string;
  version: number;
  source: AppBuildSource;
  /** The app's platform image as nodes pull it (required for archive sources). */
  platformImage?: string;
  limits?: BuildLimits;
  /** PEM bundle build steps trust (ca-bundle.ts); omit only when there is none to give. */
  caBundle?: Buffer;
  /** Build output, one line at a time, as it happens (secrets masked). */
  log: (line: string) => void;
  /** Cancels the build (and push); rejects with BuildCancelledError, nothing left running. */
  signal?: AbortSignal;
  /** Values that must never appear in build output (masked as *****). */
  secrets?: string[];
}

export interface BuildResult {
  /** `<registry>/<app>:v<N>` */
  image: string;
  /** The registry's manifest digest (sha256:...), when the push reported it. */
  digest?: string;
  manifest: AppManifest;
}

export const APP_HOME = "/home/application/current";
export const PLATFORM_BUILD = "/var/lib/wharf/build";
const CODE_PREFIX = "code/";
const USER_DOCKERFILE = ".wharf.Dockerfile";

export function appImageRepo(registry: string, app: string): string {
  return `${registry}/${app}`;
}

export function appImageRef(registry: string, app: string, version: number): string {
  return `${appImageRepo(registry, app)}:v${version}`;
}

/** Manifest of an archive: Procfile and the first app YAML present at its root. */
export function archiveManifest(archive: CheckedArchive | undefined): AppManifest {
  const procfile = archive?.readText("Procfile");
  const yamlName = archive ? APP_YAML_NAMES.find((n) => archive.readFile(n) !== undefined) : undefined;
  return buildManifest({
    ...(procfile !== undefined ? { procfile } : {}),
    ...(yamlName ? { appYaml: { name: yamlName, text: archive!.readText(yamlName)! } } : {}),
  });
}

/** The Dockerfile of a platform build (before CA injection and build labels). */
export function platformDockerfile(platformImage: string, hooks: string[]): string {
  return [
    `FROM ${platformImage}`,
    // WORKDIR and USER before the code so they come from the cache on every deploy.
    `WORKDIR ${APP_HOME}`,
    `USER application`,
    `COPY --chown=application:application ${CODE_PREFIX} ${APP_HOME}/`,
    `RUN ${PLATFORM_BUILD}`,
    // Exec form with an explicit shell: the hook text reaches sh exactly as written.
    ...hooks.map((h) => `RUN ${JSON.stringify(["/bin/sh", "-c", h])}`),
    "",
  ].join("\n");
}

/** Builds `<registry>/<app>:v<N>` and pushes it to the cluster registry. */
export async function buildAppImage(req: AppBuildRequest): Promise<BuildResult> {
  const built = await buildAppImageLocally(req);
  const digest = await pushAppImage(req, built.image);
  return digest ? { ...built, digest } : built;
}

/**
 * The build (or re-tag) on the request's node, without the push: the node can run the image
 * at once, other nodes only after pushAppImage.
 */
export async function buildAppImageLocally(req: AppBuildRequest): Promise<Omit<BuildResult, "digest">> {
  validateRequest(req);
  const image = appImageRef(req.registry, req.app, req.version);
  const mask = masker(req.secrets);
  const log = (line: string) => req.log(mask(line));
  const s = req.source;
  let manifest: AppManifest;
  if (s.kind === "image") {
    manifest = await deployImage(req, s.image, image, mask, log);
  } else {
    manifest = archiveManifest(s.archive);
    if (s.kind === "dockerfile" && s.archive?.readText("Procfile") === undefined) {
      // No platform here: the web process comes from the built image's entrypoint/cmd.
      manifest = { ...manifest, processes: {} };
    }
    await dockerBuild(req, image, manifest, mask, log);
    if (Object.keys(manifest.processes).length === 0) {
      const info = await req.engine.images.inspect(image);
      manifest.processes = processesFromImage(image, info.Config);
    }
  }
  return { image, manifest };
}

/** Pushes a built app image from the request's node; returns the digest the registry reported. */
export async function pushAppImage(
  req: Pick<AppBuildRequest, "engine" | "log" | "signal" | "secrets">,
  image: string,
): Promise<string | undefined> {
  const mask = masker(req.secrets);
  const log = (line: string) => req.log(mask(line));
  log(`---- Pushing image "${image}" to the cluster registry ----`);
  try {
    return await pushWithDigest(req.engine, image, log, req.signal);
  } catch (err) {
    if (req.signal?.aborted) throw new BuildCancelledError(req.signal.reason);
    throw err;
  }
}

function validateRequest(req: AppBuildRequest): void {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(req.app)) throw new BadRequestError(`invalid app name "${req.app}"`);
  if (!Number.isInteger(req.version) || req.version < 1) throw new Error(`invalid version ${req.version}`);
  if (req.source.kind === "archive" && !req.platformImage) {
    throw new BadRequestError(
      `app ${req.app} has no platform image to build on; set the app's platform first`,
    );
  }
  if (req.source.kind === "dockerfile" && req.source.dockerfile.trim() === "") {
    throw new BadRequestError("the Dockerfile is empty; send a Dockerfile with at least a FROM line");
  }
}

async function dockerBuild(
  req: AppBuildRequest,
  image: string,
  manifest: AppManifest,
  mask: (l: string) => string,
  log: (l: string) => void,
): Promise<void> {
  const s = req.source as Exclude<AppBuildSource, { kind: "image" }>;
  const buildId = req.app;
  let dockerfile: string;
  let contextPrefix: string;
  if (s.kind === "archive") {
    log(`---- Building ${image} on ${req.node ?? "the node"} from platform image ${req.platformImage} ----`);
    await ensureImage(req.engine, req.platformImage!, log);
    dockerfile = platformDockerfile(req.platformImage!, manifest.hooks.build);
    contextPrefix = CODE_PREFIX;
  } else {
    log(`---- Building ${image} on ${req.node ?? "the node"} from the app's Dockerfile ----`);
    // hooks.build run last, in the final stage, as in platform builds.
    dockerfile = [
      s.dockerfile.trimEnd(),
      ...manifest.hooks.build.map((h) => `RUN ${JSON.stringify(["/bin/sh", "-c", h])}`),
      "",
    ].join("\n");
    contextPrefix = "";
  }
  if (req.caBundle) dockerfile = injectCaBundle(dockerfile);
  // The image's identity, on the label step right after FROM (a cache hit while the
  // processes stay the same). The version is in the tag only: a per-build label would cost
  // a step container on every deploy.
  const processes = Object.keys(manifest.processes).length ? manifest.processes : undefined;
  dockerfile = labelStages(dockerfile, buildId, {
    "wharf.app": req.app,
    ...(processes ? { [PROCESSES_LABEL]: JSON.stringify(processes) } : {}),
  });
  const extra: ContextFile[] = [{ name: USER_DOCKERFILE, content: dockerfile }];
  if (req.caBundle) extra.push(caBundleContextFile(req.caBundle));
  const archive = s.archive;
  const context = archive
    ? archive.contextStream({ prefix: contextPrefix, extra })
    : Readable.from([await buildContextTar(extra)]);
  const limits = req.limits ?? {};
  await runBuild(req.engine, {
    context,
    buildId,
    mask,
    log,
    ...(req.signal ? { signal: req.signal } : {}),
    options: {
      t: image,
      dockerfile: USER_DOCKERFILE,
      rm: true,
      forcerm: true,
      pull: false,
      memory: limits.memory,
      // Same as memory: builds may not spill into swap.
      memswap: limits.memory,
      cpushares: limits.cpuShares,
      ...(limits.cpuMilli ? { cpuperiod: 100_000, cpuquota: Math.round(limits.cpuMilli * 100) } : {}),
    },
  });
}
