// The Scheduler: pool segregation → Swarm filters → tsuru's HA order → Swarm strategy,
// with Swarm's soft-then-hard fallback. Only the metadata groups holding the fewest
// units of the app are visited; inside a group, small candidate lists get one linear
// pass keeping a running best, large ones a sorted view that stops at the first node
// with no unit of the app (ordered.ts). No sorting of the whole cluster and no
// recounting per decision.
import { CandidateCache, type CandidateGroup, type CandidateSet } from "./candidates.js";
import { ORDERED_MIN_GROUP, OrderedView, orderable } from "./ordered.js";
import { explainFilters, selectFilters, type Filter, type FilterName } from "./filters/index.js";
import { compileRequest, type CompiledRequest } from "./request.js";
import { seededRng, type Rng } from "./rng.js";
import type { ClusterState } from "./state.js";
import { Scan } from "./scan.js";
import { NO_RESOURCES, strategyByName, type Strategy } from "./strategies/index.js";
import {
  err,
  ok,
  type Placement,
  type Result,
  type SchedulingError,
  type StrategyName,
  type UnitRequest,
} from "./types.js";

export interface SchedulerOptions {
  /** Swarm's --strategy; default spread. */
  strategy?: StrategyName | "binpacking";
  /** Swarm's --filter list; default all, in registration order. */
  filters?: readonly FilterName[];
  /**
   * tsuru's segregated HA order for app units: fewest units of the app+process in the
   * node's metadata group, then on the node, then the strategy. Default true. Requests
   * without an app (node containers, plain Docker API creates) always skip it.
   */
  ha?: boolean;
  /** Injected randomness for the random strategy; default a fixed seed. */
  rng?: Rng;
  /**
   * Candidate groups at least this large use sorted views (ordered.ts) instead of a
   * linear pass. Same choices either way; tests force both paths.
   */
  orderedMinGroup?: number;
}

type Pass = Result<number, SchedulingError>;

export class Scheduler {
  private readonly filters: Filter[];
  private readonly dynamicFilters: Filter[];
  private readonly slotsOn: boolean;
  private readonly strategy: Strategy;
  private readonly ha: boolean;
  private readonly rng: Rng;
  private readonly cache: CandidateCache;
  private order: number[] = [];
  private readonly scan: Scan;
  private readonly orderedMin: number;

  constructor(
    readonly state: ClusterState,
    options: SchedulerOptions = {},
  ) {
    this.filters = selectFilters(options.filters);
    this.slotsOn = this.filters.some((f) => f.name === "containerslots");
    // containerslots is inlined in the loop; the rest of the dynamic ones run per node.
    this.dynamicFilters = this.filters.filter((f) => !f.isStatic && f.name !== "containerslots");
    this.strategy = strategyByName(options.strategy ?? "spread");
    this.ha = options.ha ?? true;
    this.rng = options.rng ?? seededRng(0x5eed);
    this.orderedMin = options.orderedMinGroup ?? ORDERED_MIN_GROUP;
    this.scan = new Scan(state, this.strategy, this.slotsOn, this.rng);
    this.cache = new CandidateCache(
      state,
      this.filters.filter((f) => f.isStatic),
    );
  }

  /** Choose a node. Nothing changes until the caller commits the placement. */
  place(request: UnitRequest): Result<Placement, SchedulingError> {
    const compiled = compileRequest(request);
    if (!compiled.ok) return compiled;
    const r = compiled.value;
    if (r.req.pool !== undefined && !this.cache.poolHasNodes(r.req.pool))
      return err({
        kind: "no-pool-nodes",
        message: `No nodes found with one of the following metadata: pool=${r.req.pool}`,
      });
    // Swarm: the soft pass enforces soft expressions; if anything fails, the hard pass
    // (soft ones skipped) decides. Without soft expressions both passes are identical.
    let chosen = this.pass(r, true);
    let fallback = false;
    if (!chosen.ok && r.hasSoft) {
      chosen = this.pass(r, false);
      fallback = true;
    }
    if (!chosen.ok) return chosen;
    return ok({ nodeId: this.state.ids[chosen.value]!, request, softFallback: fallback && chosen.ok });
  }

  /** place() then state.commit(); returns the new unit's id and node. */
  placeAndCommit(request: UnitRequest): Result<{ unitId: string; nodeId: string }, SchedulingError> {
    const p = this.place(request);
    if (!p.ok) return p;
    return ok({ unitId: this.state.commit(p.value), nodeId: p.value.nodeId });
  }

  private pass(r: CompiledRequest, soft: boolean): Pass {
    const set = this.cache.get(r, soft);
    const s = this.state;
    const app = r.req.app;
    const haOn = app !== undefined && this.ha;
    const counts = haOn ? s.counts(app, r.req.process) : undefined;
    const byGroup = counts?.byGroup;
    // Order the candidate groups by this app+process's units in them (tsuru's term a).
    const order = this.sortGroups(set, byGroup, haOn);
    const scan = this.scan;
    scan.reset(r, soft, counts?.byNode, this.dynamicFilters);

    let lo = 0;
    while (lo < order.length) {
      // One level = every group sharing the lowest remaining group count.
      const levelCount = byGroup ? byGroup[set.groups[order[lo]!]!.gid]! : 0;
      let hi = lo + 1;
      while (hi < order.length && (!byGroup || byGroup[set.groups[order[hi]!]!.gid]! === levelCount)) hi++;
      scan.best = -1;
      for (let g = lo; g < hi; g++) {
        const group = set.groups[order[g]!]!;
        if (this.strategy.direction !== 0 && orderable(group, s, this.orderedMin))
          this.view(set, group, r).scan(s, scan);
        else scan.scanNodes(group.nodes);
      }
      if (scan.best >= 0) return ok(scan.best);
      lo = hi;
    }
    if (!scan.anyPassedFilters) {
      const why = explainFilters(this.filters, s, this.cache.poolNodes(r.req.pool), r, soft);
      if (why) return err(why);
    }
    return err({ kind: "no-resources", message: NO_RESOURCES });
  }

  private view(set: CandidateSet, group: CandidateGroup, r: CompiledRequest): OrderedView {
    const key = `${group.gid}|${r.cpus}|${r.memory}`;
    let v = set.views.get(key);
    if (v === undefined) {
      v = new OrderedView(group, set.mask, r.cpus, r.memory, this.strategy);
      set.views.set(key, v);
    }
    return v;
  }

  /** Indexes into set.groups, ordered by group count ascending (stable by gid). */
  private sortGroups(set: CandidateSet, byGroup: Int32Array | undefined, haOn: boolean): number[] {
    const n = set.groups.length;
    const order = this.order;
    order.length = n;
    for (let g = 0; g < n; g++) order[g] = g;
    if (!haOn || byGroup === undefined || n < 2) return order;
    // Insertion sort: a handful of groups, and no allocation per decision.
    for (let x = 1; x < n; x++) {
      const v = order[x]!;
      const c = byGroup[set.groups[v]!.gid]!;
      let y = x - 1;
      while (y >= 0 && byGroup[set.groups[order[y]!]!.gid]! > c) {
        order[y + 1] = order[y]!;
        y--;
      }
      order[y + 1] = v;
    }
    return order;
  }
}
