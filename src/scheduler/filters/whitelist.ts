// whitelist: the value split on "|" lists node names; key and operator are ignored.
import type { Filter } from "./filter.js";

export const whitelistFilter: Filter = {
  name: "whitelist",
  isStatic: true,
  conditions: (r) => r.whitelists.map((e) => `${e.key}${e.op}${e.value} (soft=${e.soft})`),
  applies: (r) => r.whitelists.length > 0,
  accepts(state, node, r, soft) {
    for (const e of r.whitelists) {
      if (e.soft && !soft) continue;
      if (!e.value.split("|").includes(state.names[node]!)) return false;
    }
    return true;
  },
};
