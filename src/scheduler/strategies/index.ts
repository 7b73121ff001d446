// Swarm's strategies reduced to an ordering key so placement can keep a running best
// instead of sorting: lower (primary, secondary) wins.
//   spread:  weight ascending (health factor −10), then fewer containers;
//   binpack: weight descending (health factor +10), then more containers;
//   random:  no key at all; a uniform pick among equals (resources ignored, as in Swarm).
import type { StrategyName } from "../types.js";

export interface Strategy {
  readonly name: StrategyName;
  /** Multiplies the node's HealthIndicator in the weight. */
  readonly healthFactor: number;
  /** +1 sorts ascending (spread), −1 descending (binpack), 0 ignores resources (random). */
  readonly direction: 1 | -1 | 0;
}

export const spread: Strategy = { name: "spread", healthFactor: -10, direction: 1 };
export const binpack: Strategy = { name: "binpack", healthFactor: 10, direction: -1 };
export const random: Strategy = { name: "random", healthFactor: 0, direction: 0 };

/** `binpacking` is Swarm's alias for binpack. */
export function strategyByName(name: string): Strategy {
  switch (name) {
    case "spread":
      return spread;
    case "binpack":
    case "binpacking":
      return binpack;
    case "random":
      return random;
    default:
      throw new Error(`unknown scheduler strategy "${name}": use spread, binpack or random`);
  }
}

export { weigh, NO_RESOURCES } from "./weigh.js";
