// Static candidate lists. Pool membership, enabled, health, constraints and whitelists
// depend only on node attributes, so their verdicts are cached per (pool, pass,
// expressions) and grouped by metadata group; the cache is dropped whenever
// ClusterState.version moves. This is what keeps a decision from re-running label
// regexps over every node.
import type { Filter } from "./filters/index.js";
import type { OrderedView } from "./ordered.js";
import type { CompiledRequest } from "./request.js";
import type { ClusterState } from "./state.js";

export interface CandidateGroup {
  /** Global metadata-group id. */
  readonly gid: number;
  /** Node slots passing the static filters, in node-list order. */
  readonly nodes: Int32Array;
}

export interface CandidateSet {
  readonly groups: readonly CandidateGroup[];
  readonly size: number;
  /** 1 for node slots in the set. */
  readonly mask: Uint8Array;
  /** Ordered views per (group, request class), built on demand (ordered.ts). */
  readonly views: Map<string, OrderedView>;
}

const ALL_POOLS = "\u0002all";

export class CandidateCache {
  private version = -1;
  private readonly entries = new Map<string, CandidateSet>();
  private readonly poolNonEmpty = new Map<string, boolean>();

  constructor(
    private readonly state: ClusterState,
    private readonly staticFilters: readonly Filter[],
  ) {}

  /** Whether the pool has any enabled node (cached with the candidate lists). */
  poolHasNodes(pool: string | undefined): boolean {
    this.sync();
    const key = pool ?? ALL_POOLS;
    let has = this.poolNonEmpty.get(key);
    if (has === undefined) this.poolNonEmpty.set(key, (has = this.poolNodes(pool).length > 0));
    return has;
  }

  private sync(): void {
    if (this.version !== this.state.version) {
      this.entries.clear();
      this.poolNonEmpty.clear();
      this.version = this.state.version;
    }
  }

  /** Enabled nodes of the pool (every enabled node when pool is undefined). */
  poolNodes(pool: string | undefined): number[] {
    const s = this.state;
    const base = pool === undefined ? s.allNodes() : s.nodesInPool(pool);
    return base.filter((i) => s.enabled[i] === 1);
  }

  get(r: CompiledRequest, soft: boolean): CandidateSet {
    this.sync();
    const pool = r.req.pool;
    // Only expressions that this pass enforces shape the list.
    let key = pool ?? ALL_POOLS;
    for (const e of r.constraints) if (soft || !e.soft) key += "\u0001c" + e.source;
    for (const e of r.whitelists) if (soft || !e.soft) key += "\u0001w" + e.source;
    let set = this.entries.get(key);
    if (set === undefined) {
      set = this.build(r, soft);
      if (this.entries.size > 4096) this.entries.clear();
      this.entries.set(key, set);
    }
    return set;
  }

  private build(r: CompiledRequest, soft: boolean): CandidateSet {
    const s = this.state;
    s.ensureGroups();
    const byGroup = new Map<number, number[]>();
    const mask = new Uint8Array(s.slotCount);
    let size = 0;
    for (const i of this.poolNodes(r.req.pool)) {
      let pass = true;
      for (const f of this.staticFilters) {
        if (f.applies(r) && !f.accepts(s, i, r, soft)) {
          pass = false;
          break;
        }
      }
      if (!pass) continue;
      const g = s.groupId[i]!;
      let list = byGroup.get(g);
      if (!list) byGroup.set(g, (list = []));
      list.push(i);
      mask[i] = 1;
      size++;
    }
    const groups = [...byGroup.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([gid, nodes]) => ({ gid, nodes: Int32Array.from(nodes) }));
    return { groups, size, mask, views: new Map() };
  }
}
