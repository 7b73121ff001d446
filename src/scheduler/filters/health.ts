// health: keep nodes whose HealthIndicator > 0 (a healthy engine below FailureRetry).
import type { Filter } from "./filter.js";

export const healthFilter: Filter = {
  name: "health",
  isStatic: true,
  conditions: () => [],
  applies: () => true,
  accepts: (state, node) => state.health[node]! > 0,
};
