// Swarm's weighted_node.go, shared by spread and binpack. Integer arithmetic as in Go:
// scores are truncated percentages of the overcommitted totals.
import type { ClusterState } from "../state.js";

/**
 * The node's weight for a request, or NaN when the node cannot take it ("no resources"):
 * too small for the request, or either score above 100.
 */
export function weigh(
  state: ClusterState,
  i: number,
  cpus: number,
  memory: number,
  healthFactor: number,
): number {
  const totalMemory = state.totalMemory[i]!;
  const totalCpus = state.totalCpus[i]!;
  if (totalMemory < memory || totalCpus < cpus) return NaN;
  const cpuScore = cpus > 0 ? Math.trunc(((state.usedCpus[i]! + cpus) * 100) / totalCpus) : 100;
  const memoryScore = memory > 0 ? Math.trunc(((state.usedMemory[i]! + memory) * 100) / totalMemory) : 100;
  if (cpuScore > 100 || memoryScore > 100) return NaN;
  return cpuScore + memoryScore + healthFactor * state.health[i]!;
}

export const NO_RESOURCES = "no resources available to schedule container";
