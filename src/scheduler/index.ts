// The pure scheduler: build a ClusterState from the node registry's view, ask a
// Scheduler for a placement, commit it. No I/O, no clock, randomness injected.
export * from "./types.js";
export { ClusterState, type ClusterStateOptions, type ContainerRec, type AppProcCounts } from "./state.js";
export { Scheduler, type SchedulerOptions } from "./placement.js";
export { chooseUnitToRemove, chooseUnitsToRemove, type RemovalQuery } from "./removal.js";
export {
  planDrain,
  planRebalance,
  poolGap,
  worthRebalancing,
  type DrainResult,
  type Move,
  type RebalanceQuery,
} from "./rebalance.js";
export {
  chooseAppPool,
  nodePool,
  nodeServesPool,
  type PoolChoiceError,
  type PoolChoiceInput,
  type PoolConstraint,
  type PoolDef,
} from "./pool.js";
export { parseExpr, parseExprs, exprMatch, exprString, type Expr, type Operator } from "./expression.js";
export {
  ALL_FILTERS,
  NO_HEALTHY_NODE,
  UNABLE_TO_FIND,
  selectFilters,
  type FilterName,
} from "./filters/index.js";
export { NO_RESOURCES, strategyByName } from "./strategies/index.js";
export { splitMetadata, type GroupSplit } from "./groups.js";
export { engineLabels, healthIndicator, type EngineInfo, type EngineLabels } from "./labels.js";
export { seededRng, type Rng } from "./rng.js";
