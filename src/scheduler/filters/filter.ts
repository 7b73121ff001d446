// The shape every Swarm filter implements. A filter answers per node so the placement
// loop can evaluate all of them in one pass instead of narrowing lists filter by filter;
// the per-filter condition strings rebuild Swarm's failure message.
import type { ClusterState } from "../state.js";
import type { CompiledRequest } from "../request.js";

export type FilterName =
  "health" | "port" | "containerslots" | "dependency" | "affinity" | "constraint" | "whitelist";

export interface Filter {
  readonly name: FilterName;
  /**
   * Static filters look only at node attributes (labels, health), never at containers,
   * so their verdicts can be cached until ClusterState.version changes.
   */
  readonly isStatic: boolean;
  /** Swarm's GetFilters(): the condition strings printed in the failure message. */
  conditions(r: CompiledRequest): string[];
  /** Whether the filter needs to run at all for this request (cheap skip). */
  applies(r: CompiledRequest): boolean;
  /** soft = true in the first pass, where soft expressions count like hard ones. */
  accepts(state: ClusterState, node: number, r: CompiledRequest, soft: boolean): boolean;
}
