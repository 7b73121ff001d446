// affinity: expressions about what already runs on the node. `container` matches each
// named container's id and name, `image` the node's images (id, tag, repository), any
// other key that container label (missing = ""). Pending (committed) containers count.
import { exprMatch, type Expr } from "../expression.js";
import type { ClusterState } from "../state.js";
import type { Filter } from "./filter.js";

function candidates(state: ClusterState, node: number, e: Expr): string[] {
  const out: string[] = [];
  if (e.key === "container") {
    for (const c of state.nodeContainers[node]!.values()) {
      if (c.name === undefined || c.name === "") continue;
      out.push(c.id, c.name);
    }
  } else if (e.key === "image") {
    for (const n of state.images[node]!) out.push(n);
  } else {
    for (const c of state.nodeContainers[node]!.values()) out.push(c.labels[e.key] ?? "");
  }
  return out;
}

export function affinityAccepts(
  state: ClusterState,
  node: number,
  list: readonly Expr[],
  soft: boolean,
): boolean {
  for (const e of list) {
    if (e.soft && !soft) continue;
    if (!exprMatch(e, candidates(state, node, e))) return false;
  }
  return true;
}

export const affinityFilter: Filter = {
  name: "affinity",
  isStatic: false,
  conditions: (r) => r.affinities.map((e) => `${e.key}${e.op}${e.value} (soft=${e.soft})`),
  applies: (r) => r.affinities.length > 0,
  accepts: (state, node, r, soft) => affinityAccepts(state, node, r.affinities, soft),
};
