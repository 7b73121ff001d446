// constraint: expressions about the node itself. `node` matches the node id and name;
// any other key the node label (engine labels over tsuru metadata), missing = "".
import { exprMatch, exprMatchOne, exprString } from "../expression.js";
import type { Filter } from "./filter.js";

export const constraintFilter: Filter = {
  name: "constraint",
  isStatic: true,
  conditions: (r) => r.constraints.map(exprString),
  applies: (r) => r.constraints.length > 0,
  accepts(state, node, r, soft) {
    for (const e of r.constraints) {
      if (e.soft && !soft) continue;
      const ok =
        e.key === "node"
          ? exprMatch(e, [state.ids[node]!, state.names[node]!])
          : exprMatchOne(e, state.labels[node]![e.key] ?? "");
      if (!ok) return false;
    }
    return true;
  },
};
