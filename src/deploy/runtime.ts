// Assembles the running side for a server with a cluster: the deploy context and the
// RuntimePort domain services call (platform builds, env restarts, app removal, routes).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { BadRequestError } from "../domain/errors.js";
import type { WharfConfig } from "../config/config.js";
import type { Ctx } from "../domain/services/context.js";
import type { RuntimePort } from "../domain/services/runtime-port.js";
import { BuildSlots } from "../build/slots.js";
import { buildCaBundlePath, loadCaBundle } from "../build/ca-bundle.js";
import { ProvisionerRegistry } from "../provision/registry.js";
import { canRebalance } from "../provision/capabilities.js";
import { DockerProvisioner } from "../provision/docker/provisioner.js";
import { DEFAULT_DOCKER_SETTINGS } from "../provision/docker/context.js";
import { DEFAULT_DEPLOY_SETTINGS, type DeployCtx, type NodeEngines } from "./context.js";
import { buildPlatform } from "./build-version.js";
import { removeAllUnits, restartApp } from "./unit-ops.js";

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

export function runtimePort(dc: DeployCtx): RuntimePort {
  return {
    buildPlatform: (name, dockerfile, out) => buildPlatform(dc, name, dockerfile, out),
    restartApp: async (app, out) => {
      const rt = await dc.ctx.store.getAppRuntime(app);
      if (!rt.routableVersion) return;
      await restartApp(dc, await dc.ctx.store.getApp(app), "", out);
    },
    removeAppUnits: (app) => removeAllUnits(dc, app),
    checkDrain: async (address) => (await rebalancerOf(dc, address)).checkDrain(address),
    drainNode: async (address, out) => (await rebalancerOf(dc, address)).drainNode(address, out),
  };
}

/** The provisioner of the node's pool, which must be able to move units off it. */
async function rebalancerOf(dc: DeployCtx, address: string) {
  const node = await dc.ctx.store.findNode(address);
  const p = await dc.provisioners.forPool(dc.ctx.store, node?.pool ?? "");
  if (!canRebalance(p))
    throw new BadRequestError(
      `Pool "${node?.pool ?? ""}" (provisioner ${p.name}) cannot move units off a node.`,
    );
  return p;
}
