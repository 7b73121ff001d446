// Assembles the running side for a server with a cluster: the deploy context and the
// RuntimePort domain services call (platform builds, env restarts, app removal, routes).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { WharfConfig } from "../config/config.js";
import type { Ctx } from "../domain/services/context.js";
import type { RuntimePort } from "../domain/services/runtime-port.js";
import { BuildSlots } from "../build/slots.js";
import { buildCaBundlePath, loadCaBundle } from "../build/ca-bundle.js";
import { checkDrain, drainNode } from "../reconcile/heal-drain.js";
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
  return {
    ctx,
    engines,
    log,
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
      drainMs: config.drainMs,
    },
  };
}

/** How long `node remove` waits for busy apps before giving up (the node stays disabled). */
const DRAIN_TIMEOUT_MS = 5 * 60_000;

export function runtimePort(dc: DeployCtx): RuntimePort {
  return {
    buildPlatform: (name, dockerfile, out) => buildPlatform(dc, name, dockerfile, out),
    restartApp: async (app, out) => {
      const rt = await dc.ctx.store.getAppRuntime(app);
      if (!rt.routableVersion) return;
      await restartApp(dc, await dc.ctx.store.getApp(app), "", out);
    },
    removeAppUnits: (app) => removeAllUnits(dc, app),
    checkDrain: (address) => checkDrain(dc, address),
    drainNode: (address, out) =>
      drainNode(dc, address, async (line) => out(`${line}\n`), {
        instanceId: dc.ctx.settings.instanceId,
        timeoutMs: DRAIN_TIMEOUT_MS,
      }),
  };
}
