// The docker provisioner's unit operations on one node: what the deploy service and the
// reconciler call, each with the node's Engine (src/cluster/docker). No store, no scheduling here.
export {
  type UnitSpec,
  type UnitLimits,
  LABELS,
  DEFAULT_START,
  DEFAULT_PIDS_LIMIT,
  containerName,
  unitEnv,
  unitContainerConfig,
  validateUnitSpec,
} from "./spec.js";
export {
  type UnitAddress,
  type CreateUnitOptions,
  type ManagedUnit,
  createUnit,
  startUnit,
  stopUnit,
  restartUnit,
  removeUnit,
  listManagedUnits,
  readUnitAddress,
} from "./units.js";
export {
  type Healthcheck,
  type WaitHealthyOptions,
  UnitUnhealthyError,
  waitHealthy,
  containerProbes,
  validateHealthcheck,
} from "./health.js";
export { type OneOffSpec, type OutputLog, runOnce, execInUnit, execInContainer } from "./run.js";
export { unitLogs } from "./logs.js";
