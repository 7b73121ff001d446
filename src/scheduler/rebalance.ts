// Rebalance planner: on a copy of the state, repeatedly take the unit the removal rule
// picks (crowded end) and place it again through the scheduler (emptiest end); keep the
// move only when it strictly improves the HA order, i.e. the destination's (group count,
// node count) is below the source's once the unit has left. Each kept move lowers the
// sum of squares of group counts or, at equal groups, of node counts, so it terminates.
import { Scheduler, type SchedulerOptions } from "./placement.js";
import { chooseUnitToRemove } from "./removal.js";
import type { ClusterState, ContainerRec } from "./state.js";
import type { SchedulingError, UnitRequest } from "./types.js";

export interface Move {
  unitId: string;
  app: string;
  process: string;
  from: string;
  to: string;
}

export interface RebalanceQuery {
  app: string;
  /** The app's pool; units move only among its nodes. */
  pool?: string;
  /** Only this process; default every process of the app. */
  process?: string;
  /** Placement request for a unit being moved (its constraints, plan…). Default: from the unit. */
  requestFor?: (unit: ContainerRec) => UnitRequest;
}

function defaultRequest(u: ContainerRec, pool: string | undefined): UnitRequest {
  return {
    app: u.app,
    process: u.process,
    pool,
    cpus: u.cpus,
    memory: u.memory,
    image: u.image,
    labels: u.labels,
    portBindings: u.portBindings,
    hostNetwork: u.hostNetwork,
    exposedPorts: u.exposedPorts,
  };
}

export function planRebalance(
  state: ClusterState,
  q: RebalanceQuery,
  options: SchedulerOptions = {},
): Move[] {
  const sim = state.clone();
  const scheduler = new Scheduler(sim, { ...options, ha: true });
  const moves: Move[] = [];
  const processes = q.process !== undefined ? [q.process] : sim.processesOf(q.app).sort();
  for (const process of processes) {
    const limit = 2 * (sim.counts(q.app, process)?.total ?? 0) + 1;
    for (let step = 0; step < limit; step++) {
      const pick = chooseUnitToRemove(sim, { app: q.app, process, pool: q.pool });
      if (!pick.ok) break;
      const unit = pick.value;
      const from = unit.node;
      sim.removeContainer(unit.id);
      const req = { ...(q.requestFor ? q.requestFor(unit) : defaultRequest(unit, q.pool)), id: undefined };
      const placed = scheduler.place(req);
      const counts = sim.counts(q.app, process);
      let improves = false;
      let to = from;
      if (placed.ok && counts) {
        to = sim.slot(placed.value.nodeId)!;
        const aS = counts.byGroup[sim.groupId[from]!]!;
        const bS = counts.byNode[from]!;
        const aD = counts.byGroup[sim.groupId[to]!]!;
        const bD = counts.byNode[to]!;
        improves = to !== from && (aD < aS || (aD === aS && bD < bS));
      }
      if (!improves) {
        sim.addContainer(sim.ids[from]!, unit);
        break;
      }
      sim.addContainer(sim.ids[to]!, unit);
      moves.push({ unitId: unit.id, app: q.app, process, from: sim.ids[from]!, to: sim.ids[to]! });
    }
  }
  return moves;
}

export interface DrainResult {
  moves: Move[];
  /** Units no other node can take (with the scheduler's error for each). */
  stuck: { unitId: string; error: SchedulingError }[];
}

/**
 * Plan `node remove --rebalance`: every container of the node is placed again, through
 * the scheduler, with the node disabled. Computed on a copy; nothing moves here.
 */
export function planDrain(
  state: ClusterState,
  nodeId: string,
  requestFor: (unit: ContainerRec) => UnitRequest,
  options: SchedulerOptions = {},
): DrainResult {
  const sim = state.clone();
  const scheduler = new Scheduler(sim, options);
  sim.setEnabled(nodeId, false);
  const slot = sim.slot(nodeId);
  const result: DrainResult = { moves: [], stuck: [] };
  if (slot === undefined) return result;
  for (const unit of [...sim.nodeContainers[slot]!.values()]) {
    sim.removeContainer(unit.id);
    const placed = scheduler.place({ ...requestFor(unit), id: undefined });
    if (!placed.ok) {
      result.stuck.push({ unitId: unit.id, error: placed.error });
      sim.addContainer(nodeId, unit);
      continue;
    }
    sim.addContainer(placed.value.nodeId, unit);
    result.moves.push({
      unitId: unit.id,
      app: unit.app ?? "",
      process: unit.process,
      from: nodeId,
      to: placed.value.nodeId,
    });
  }
  return result;
}

/** tsuru's pool gap: max − min of units per node over the pool. */
export function poolGap(state: ClusterState, pool: string): number {
  const nodes = state.nodesInPool(pool);
  if (nodes.length === 0) return 0;
  let min = Infinity;
  let max = -Infinity;
  for (const i of nodes) {
    const c = state.containerCount[i]!;
    if (c < min) min = c;
    if (c > max) max = c;
  }
  return max - min;
}

/** tsuru rebalances a pool for real only when the dry run changes the gap by more than 2. */
export function worthRebalancing(gapBefore: number, gapAfter: number): boolean {
  return Math.abs(gapBefore - gapAfter) > 2;
}
