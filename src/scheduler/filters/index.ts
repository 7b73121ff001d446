// Swarm's filter chain: registration order, selection by name, and the failure message
// ApplyFilters builds when a filter leaves no node.
import type { ClusterState } from "../state.js";
import type { CompiledRequest } from "../request.js";
import type { SchedulingError } from "../types.js";
import { affinityFilter } from "./affinity.js";
import { constraintFilter } from "./constraint.js";
import { containerSlotsFilter } from "./containerslots.js";
import { dependencyFilter } from "./dependency.js";
import type { Filter } from "./filter.js";
import { healthFilter } from "./health.js";
import { portFilter } from "./port.js";
import { whitelistFilter } from "./whitelist.js";

export type { Filter, FilterName } from "./filter.js";

/** Registration order matters: it decides which filters the failure message lists. */
export const ALL_FILTERS: readonly Filter[] = [
  healthFilter,
  portFilter,
  containerSlotsFilter,
  dependencyFilter,
  affinityFilter,
  constraintFilter,
  whitelistFilter,
];

export const NO_HEALTHY_NODE = "No healthy node available in the cluster";
export const UNABLE_TO_FIND = "Unable to find a node that satisfies the following conditions";

/** Like `swarm manage --filter`: keep registration order, refuse unknown names. */
export function selectFilters(names?: readonly string[]): Filter[] {
  if (names === undefined) return [...ALL_FILTERS];
  for (const n of names)
    if (!ALL_FILTERS.some((f) => f.name === n)) throw new Error(`unknown scheduler filter "${n}"`);
  return ALL_FILTERS.filter((f) => names.includes(f.name));
}

/** Index of the first filter that rejects the node, or -1 when all accept. */
export function firstRejecting(
  filters: readonly Filter[],
  state: ClusterState,
  node: number,
  r: CompiledRequest,
  soft: boolean,
): number {
  for (let k = 0; k < filters.length; k++) {
    const f = filters[k]!;
    if (f.applies(r) && !f.accepts(state, node, r, soft)) return k;
  }
  return -1;
}

/** Go's fmt of a []string: "[a b c]". */
const goSlice = (xs: readonly string[]): string => `[${xs.join(" ")}]`;

/**
 * Swarm narrows the list filter by filter; the filter that empties it is the largest
 * "first rejecting filter" over the nodes. Returns undefined when some node passes.
 */
export function explainFilters(
  filters: readonly Filter[],
  state: ClusterState,
  nodes: readonly number[],
  r: CompiledRequest,
  soft: boolean,
): SchedulingError | undefined {
  let last = nodes.length === 0 ? 0 : -1;
  for (const n of nodes) {
    const k = firstRejecting(filters, state, n, r, soft);
    if (k < 0) return undefined;
    if (k > last) last = k;
  }
  const failed = filters[last];
  if (failed === undefined || failed.name === "health")
    return { kind: "no-healthy-node", message: NO_HEALTHY_NODE, filters: ["health"] };
  let message = UNABLE_TO_FIND;
  const names: string[] = [];
  for (let k = 0; k <= last; k++) {
    const f = filters[k]!;
    names.push(f.name);
    const list = f.conditions(r);
    if (list.length > 0) message += "\n" + goSlice(list);
  }
  return { kind: "filters", message, filters: names };
}
