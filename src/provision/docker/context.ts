// What the docker provisioner works with: the store (intent and unit rows), the node engines
// (src/cluster/docker), its rollout settings and a logger.
import type { Logger } from "pino";
import type { NodeEngines } from "../../cluster/docker/engine.js";
import type { Store } from "../../store/types.js";

export interface DockerSettings {
  /** How long a new unit may take to become healthy. */
  healthTimeoutMs: number;
  /** After routes switch, old units keep serving this long before SIGTERM. */
  drainMs: number;
  /** SIGTERM → SIGKILL. */
  stopGraceSeconds: number;
}

export const DEFAULT_DOCKER_SETTINGS: DockerSettings = {
  healthTimeoutMs: 120_000,
  drainMs: 1000,
  stopGraceSeconds: 10,
};

export interface DockerCtx {
  store: Store;
  engines: NodeEngines;
  settings: DockerSettings;
  log: Logger;
  /** This server's id, on the healer's events. */
  instanceId: string;
}
