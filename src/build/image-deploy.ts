// The image source of an app build (tsuru's imageBuild): an image from the cluster registry or
// already on the build node becomes `<registry>/<app>:v<N>`. Its processes and tsuru.yaml are
// read out of it; with hooks.build the hooks run in it and the result is committed, without
// them the image is only re-tagged (Wharf never changes an image that asks for nothing).
import type { ImageInspect } from "../cluster/docker/types.js";
import { BadRequestError } from "../domain/errors.js";
import type { AppBuildRequest } from "./app-image.js";
import { ensureImage } from "./build-run.js";
import { readImageAppFiles } from "./image-app-files.js";
import { runImageHooks } from "./image-hooks.js";
import {
  imageProcesses,
  parseImageRef,
  PROCESSES_LABEL,
  PROCFILE_LABEL,
  type ImageProcesses,
} from "./image-source.js";
import { parseAppYaml, type AppManifest } from "./manifest.js";

export type ImageDeployRequest = Pick<
  AppBuildRequest,
  "engine" | "node" | "registry" | "app" | "limits" | "signal"
>;

/**
 * Image deploys: only the cluster registry's images or images already on the node. tsuru's
 * steps: processes (label, Procfile in the image, Procfile label, entrypoint + cmd), tsuru.yaml,
 * then hooks.build run in the image and committed; without hooks the image is only re-tagged.
 */
export async function deployImage(
  req: ImageDeployRequest,
  source: string,
  target: string,
  mask: (l: string) => string,
  log: (l: string) => void,
): Promise<AppManifest> {
  const ref = parseImageRef(source);
  if (ref.domain !== undefined) {
    if (ref.domain.toLowerCase() !== req.registry.toLowerCase()) {
      throw new BadRequestError(
        `image ${ref.ref} is not in the cluster registry (${req.registry}); Wharf does not pull from other registries: push it to ${req.registry} first`,
      );
    }
    log(`---- Pulling ${ref.ref} from the cluster registry ----`);
    await ensureImage(req.engine, ref.ref, log);
  }
  let info: ImageInspect;
  try {
    info = await req.engine.images.inspect(ref.ref);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    throw new BadRequestError(
      `image ${ref.ref} is neither in the cluster registry (${req.registry}) nor on node ${req.node ?? "the build node"}; push it to ${req.registry} first`,
    );
  }
  // tsuru's order of lines. Procfile and tsuru.yaml come out of one created container.
  log(`---- Getting process from image ----`);
  const files = await readImageAppFiles(req.engine, info.Id, req.app);
  log(`---- Inspecting image "${ref.ref}" ----`);
  const { processes, from } = imageProcesses(ref.ref, info.Config, files.procfile);
  log(processesSourceLine(from));
  for (const [name, cmd] of Object.entries(processes))
    log(`  ---> Process "${name}" found with commands: [${JSON.stringify(cmd)}]`);
  log(`---- Getting tsuru.yaml from image ----`);
  const yaml = files.appYaml;
  const extra = yaml
    ? parseAppYaml(yaml.text, yaml.name)
    : { hooks: { build: [], restart: { before: [], after: [] } } };
  if (yaml) log(`  ---> Found ${yaml.name}`);
  if (extra.hooks.build.length) {
    log(`---- Running build hooks ----`);
    await runImageHooks({
      engine: req.engine,
      image: info.Id,
      config: info.Config,
      hooks: extra.hooks.build,
      app: req.app,
      target,
      ...(req.limits ? { limits: req.limits } : {}),
      log,
      mask,
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } else {
    const colon = target.lastIndexOf(":");
    await req.engine.images.tag(info.Id, target.slice(0, colon), target.slice(colon + 1));
  }
  return { processes, ...extra };
}

function processesSourceLine(from: ImageProcesses["from"]): string {
  switch (from.kind) {
    case "processes-label":
      return `  ---> Using the image's ${PROCESSES_LABEL} label (a Wharf build)`;
    case "procfile":
      return `  ---> Found ${from.path}`;
    case "procfile-label":
      return `  ---> Procfile not found, using the image's ${PROCFILE_LABEL} label`;
    case "command":
      return `  ---> Procfile not found, using entrypoint and cmd`;
  }
}
