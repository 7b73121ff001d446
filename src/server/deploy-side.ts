// The deploy side of a server with a cluster: the provisioners (docker on the node engines;
// swarm and kubernetes register here too), the build slots and settings, the upload spool.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { WharfConfig } from "../config/config.js";
import type { Ctx } from "../domain/services/context.js";
import { BuildSlots } from "../build/slots.js";
import { buildCaBundlePath, loadCaBundle } from "../build/ca-bundle.js";
import { ProvisionerRegistry } from "../provision/registry.js";
import { DockerProvisioner } from "../provision/docker/provisioner.js";
import { DEFAULT_DOCKER_SETTINGS } from "../provision/docker/context.js";
import { DEFAULT_DEPLOY_SETTINGS, type DeployCtx, type NodeEngines } from "../deploy/context.js";

export async function createDeployCtx(
  ctx: Ctx,
  engines: NodeEngines,
  config: WharfConfig,
  log: Logger,
): Promise<DeployCtx> {
  const tmpDir = join(config.dataDir, "uploads");
  // Uploads of builds a crash interrupted are garbage: nothing may stay behind on disk.
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  const docker = new DockerProvisioner({
    store: ctx.store,
    engines,
    log,
    instanceId: ctx.settings.instanceId,
    settings: { ...DEFAULT_DOCKER_SETTINGS, drainMs: config.drainMs },
  });
  return {
    ctx,
    engines,
    log,
    provisioners: new ProvisionerRegistry().register(docker),
    slots: new BuildSlots(config.buildsPerNode),
    settings: {
      ...DEFAULT_DEPLOY_SETTINGS,
      registry: config.registry,
      baseImage: config.baseImage || `${config.registry}/wharf/base:bookworm`,
      caBundle: await loadCaBundle(buildCaBundlePath()),
      tmpDir,
      buildsPerNode: config.buildsPerNode,
      buildCpuMilli: config.buildCpuMilli,
      buildMemory: config.buildMemory,
      maxArchiveBytes: config.uploadLimit,
      maxArchiveFiles: config.uploadMaxFiles,
    },
  };
}
