// containerslots: a node labelled containerslots=N takes containers only while it holds
// fewer than N (stopped ones included). A missing or non-integer label means no limit.
import type { Filter } from "./filter.js";

export const containerSlotsFilter: Filter = {
  name: "containerslots",
  isStatic: false,
  conditions: () => ["available container slots"],
  applies: () => true,
  accepts: (state, node) => state.containerCount[node]! < state.slots[node]!,
};
