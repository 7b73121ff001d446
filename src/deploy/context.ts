// What deploys and unit operations need besides the domain context: the provisioners (a
// pool's provisioner runs its apps' units), the node engines builds run on (through the
// builder, src/build/), the cluster registry, and the build settings.
import type { Logger } from "pino";
import type { NodeEngines } from "../cluster/docker/engine.js";
import type { Ctx } from "../domain/services/context.js";
import type { BuildSlots } from "../build/slots.js";
import type { ProvisionerRegistry } from "../provision/registry.js";

export type { NodeEngines };

export interface DeploySettings {
  /** host:port of the cluster registry app images are pushed to. */
  registry: string;
  /** CPU/memory of a build container, and builds at once per node. */
  buildCpuMilli: number;
  buildMemory: number;
  buildsPerNode: number;
  /** Upload limits for code archives. */
  maxArchiveBytes: number;
  maxArchiveFiles: number;
  /** Where uploads are unpacked while a build runs (removed afterwards). */
  tmpDir: string;
  /** Versions (images) kept per app for rollback. */
  keepVersions: number;
  /** PEM bundle build steps trust (WHARF_BUILD_CA_BUNDLE). */
  caBundle: Buffer;
  /** The base image as nodes pull it (platform builds' BASE_IMAGE). */
  baseImage: string;
}

export interface DeployCtx {
  ctx: Ctx;
  engines: NodeEngines;
  settings: DeploySettings;
  log: Logger;
  slots: BuildSlots;
  provisioners: ProvisionerRegistry;
}

export const DEFAULT_DEPLOY_SETTINGS: Omit<DeploySettings, "registry" | "tmpDir" | "caBundle" | "baseImage"> =
  {
    buildCpuMilli: 2000,
    buildMemory: 2 * 2 ** 30,
    buildsPerNode: 2,
    maxArchiveBytes: 512 * 2 ** 20,
    maxArchiveFiles: 100_000,
    keepVersions: 10,
  };
