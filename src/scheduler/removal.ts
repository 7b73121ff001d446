// Choosing a unit to remove: tsuru's segregated scheduler takes the opposite end of the
// HA order, the node with the highest (group count, node count, node total), ties to
// the last node; then a unit of the app+process on it, or any such unit anywhere.
import type { ClusterState, ContainerRec } from "./state.js";
import { err, ok, type Result, type SchedulingError } from "./types.js";

export interface RemovalQuery {
  app: string;
  process?: string;
  /** Nodes considered: the pool's (every node when undefined). */
  pool?: string;
}

const noUnits = (q: RemovalQuery): SchedulingError => ({
  kind: "no-units",
  message: `app "${q.app}" has no units of process "${q.process ?? ""}" to remove`,
});

export function chooseUnitToRemove(
  state: ClusterState,
  q: RemovalQuery,
): Result<ContainerRec, SchedulingError> {
  const counts = state.counts(q.app, q.process);
  if (!counts || counts.total <= 0) return err(noUnits(q));
  state.ensureGroups();
  const nodes = q.pool === undefined ? state.allNodes() : state.nodesInPool(q.pool);
  let best = -1;
  let bA = 0;
  let bB = 0;
  let bC = 0;
  for (const i of nodes) {
    const a = counts.byGroup[state.groupId[i]!]!;
    const b = counts.byNode[i]!;
    const c = state.containerCount[i]!;
    // ">=" so the last of equal nodes wins, as tsuru's loop does.
    if (best < 0 || a > bA || (a === bA && (b > bB || (b === bB && c >= bC)))) {
      best = i;
      bA = a;
      bB = b;
      bC = c;
    }
  }
  const onNode = best >= 0 ? state.unitsOf(q.app, q.process, best) : [];
  const pick = onNode[onNode.length - 1] ?? state.unitsOf(q.app, q.process).pop();
  return pick ? ok(pick) : err(noUnits(q));
}

/**
 * Pick n units the way `unit-remove n` does: each pick is skipped for the next one.
 * The state is left unchanged.
 */
export function chooseUnitsToRemove(
  state: ClusterState,
  q: RemovalQuery,
  n: number,
): Result<ContainerRec[], SchedulingError> {
  const picked: ContainerRec[] = [];
  const homes: string[] = [];
  let failure: SchedulingError | undefined;
  for (let k = 0; k < n; k++) {
    const r = chooseUnitToRemove(state, q);
    if (!r.ok) {
      failure = r.error;
      break;
    }
    homes.push(state.ids[r.value.node]!);
    picked.push(r.value);
    state.removeContainer(r.value.id);
  }
  picked.forEach((c, k) => state.addContainer(homes[k]!, c));
  return failure ? err(failure) : ok(picked);
}
