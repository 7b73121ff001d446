// Ordered views for large candidate groups. For one request class (CPUs, memory,
// strategy direction) a group's candidate nodes are sorted once by their exact strategy
// key (weight, container count, node order). Later decisions walk that order and stop
// at the first node that holds no unit of the app and passes the dynamic filters;
// nodes changed since the sort (found through the state's change journal) are weighed
// individually. A view is re-sorted when too many changes pile up. The result is the
// same node the linear pass would choose; only the work differs.
import type { CandidateGroup } from "./candidates.js";
import type { Scan } from "./scan.js";
import { JOURNAL_SIZE, type ClusterState } from "./state.js";
import { weigh, type Strategy } from "./strategies/index.js";

/** Groups smaller than this are scanned linearly: sorting would not pay off. */
export const ORDERED_MIN_GROUP = 32;
/**
 * Re-sort once this many of the group's nodes changed: each decision weighs every
 * changed node, so small groups re-sort sooner (sorting them is cheap too).
 */
const maxDirty = (groupSize: number): number => Math.max(4, Math.min(64, groupSize >> 4));

const IDX_BITS = 2 ** 20;
const K2_SPAN = 2 ** 21;

export class OrderedView {
  private order = new Int32Array(0);
  private builtAt = -1;
  /** Journal position up to which changes have been collected into `dirty`. */
  private scannedTo = 0;
  private readonly dirty: number[] = [];
  private readonly inDirty: Uint8Array;
  private readonly maxDirty: number;

  constructor(
    private readonly group: CandidateGroup,
    private readonly mask: Uint8Array,
    private readonly cpus: number,
    private readonly memory: number,
    private readonly strategy: Strategy,
  ) {
    // Node slots cannot grow under a view: adding a node bumps the state version, which
    // drops every candidate set and its views.
    this.inDirty = new Uint8Array(mask.length);
    this.maxDirty = maxDirty(group.nodes.length);
  }

  /** Feed the group's best candidates to `scan` (exactly as a full linear pass would). */
  scan(state: ClusterState, scan: Scan): void {
    if (!this.refreshDirty(state)) this.build(state);
    // Changed nodes: their sorted position is stale, weigh them afresh.
    for (const i of this.dirty) scan.consider(i);
    const order = this.order;
    const stamp = state.stamp;
    const builtAt = this.builtAt;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      if (stamp[i]! > builtAt) continue; // dirty, already considered
      // Once a clean node with no unit of the app passes, every later clean node has a
      // larger key and a primary term >= 0, so none can beat what the scan holds.
      if (scan.consider(i) === 0) return;
    }
  }

  /**
   * Collect this group's nodes changed since the sort, reading only the journal entries
   * that arrived since the previous decision. False when a re-sort is due.
   */
  private refreshDirty(state: ClusterState): boolean {
    if (this.builtAt < 0 || state.changes - this.scannedTo >= JOURNAL_SIZE) return false;
    const members = this.mask;
    const journal = state.journal;
    const gid = this.group.gid;
    for (let e = this.scannedTo; e < state.changes; e++) {
      const i = journal[e % JOURNAL_SIZE]!;
      if (members[i] !== 1 || this.inDirty[i] === 1 || state.groupId[i] !== gid) continue;
      this.inDirty[i] = 1;
      this.dirty.push(i);
    }
    this.scannedTo = state.changes;
    return this.dirty.length <= this.maxDirty;
  }

  private build(state: ClusterState): void {
    const nodes = this.group.nodes;
    const keys = new Float64Array(nodes.length);
    const { direction, healthFactor } = this.strategy;
    let n = 0;
    for (let k = 0; k < nodes.length; k++) {
      const i = nodes[k]!;
      const w = weigh(state, i, this.cpus, this.memory, healthFactor);
      // A node without room stays without room until it changes (then it is dirty).
      if (w !== w) continue;
      const k1 = direction * w + 2048;
      const k2 = Math.min(K2_SPAN - 1, direction * state.containerCount[i]! + K2_SPAN / 2);
      // Pack (k1, k2, slot) into one exact float64 so a native numeric sort orders them.
      keys[n++] = (k1 * K2_SPAN + k2) * IDX_BITS + i;
    }
    const sorted = keys.subarray(0, n).sort();
    this.order = new Int32Array(n);
    for (let k = 0; k < n; k++) this.order[k] = sorted[k]! % IDX_BITS;
    this.builtAt = this.scannedTo = state.changes;
    for (const i of this.dirty) this.inDirty[i] = 0;
    this.dirty.length = 0;
  }
}

/** Can this group use an ordered view? (Node slots must fit the packed key.) */
export function orderable(group: CandidateGroup, state: ClusterState, minGroup = ORDERED_MIN_GROUP): boolean {
  return group.nodes.length >= minGroup && state.slotCount < IDX_BITS;
}
