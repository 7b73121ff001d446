// The per-node step of a placement decision: dynamic filters, then the running best by
// (units of the app on the node, strategy key, container count, node order). Kept in
// one object so the linear pass and the spread-index walk share it exactly.
import type { Filter } from "./filters/index.js";
import type { CompiledRequest } from "./request.js";
import type { Rng } from "./rng.js";
import type { ClusterState } from "./state.js";
import { weigh, type Strategy } from "./strategies/index.js";

export class Scan {
  best = -1;
  bestB = 0;
  bestK1 = 0;
  bestK2 = 0;
  anyPassedFilters = false;
  private ties = 0;
  private r!: CompiledRequest;

  get request(): CompiledRequest {
    return this.r;
  }
  private soft = true;
  private byNode: Int32Array | undefined;
  private dyn: Filter[] = [];

  constructor(
    private readonly state: ClusterState,
    private readonly strategy: Strategy,
    private readonly slotsOn: boolean,
    private readonly rng: Rng,
  ) {}

  reset(r: CompiledRequest, soft: boolean, byNode: Int32Array | undefined, dynamic: readonly Filter[]): void {
    this.r = r;
    this.soft = soft;
    this.byNode = byNode;
    this.dyn.length = 0;
    for (const f of dynamic) if (f.applies(r)) this.dyn.push(f);
    this.best = -1;
    this.anyPassedFilters = false;
  }

  /** True when consider() reduces to slots + weigh: the common case, see scanNodes(). */
  get plain(): boolean {
    return this.dyn.length === 0 && this.strategy.direction !== 0;
  }

  /**
   * consider() over a list of nodes, specialised for plain requests: typed arrays in
   * locals, weight inlined, and nodes holding more units of the app than the best so
   * far skipped before any arithmetic. Same result as calling consider() on each.
   */
  scanNodes(nodes: Int32Array): void {
    if (!this.plain) {
      for (let k = 0; k < nodes.length; k++) this.consider(nodes[k]!);
      return;
    }
    const s = this.state;
    const { containerCount, slots, totalCpus, totalMemory, usedCpus, usedMemory, health } = s;
    const byNode = this.byNode;
    const slotsOn = this.slotsOn;
    const cpus = this.r.cpus;
    const memory = this.r.memory;
    const direction = this.strategy.direction;
    const hf = this.strategy.healthFactor;
    let best = this.best;
    let bestB = this.bestB;
    let bestK1 = this.bestK1;
    let bestK2 = this.bestK2;
    let any = this.anyPassedFilters;
    for (let k = 0; k < nodes.length; k++) {
      const i = nodes[k]!;
      const cc = containerCount[i]!;
      if (slotsOn && cc >= slots[i]!) continue;
      any = true;
      const b = byNode !== undefined ? byNode[i]! : 0;
      if (best >= 0 && b > bestB) continue;
      // Swarm's weigh(), inlined (see strategies/weigh.ts).
      const tm = totalMemory[i]!;
      const tc = totalCpus[i]!;
      if (tm < memory || tc < cpus) continue;
      const cpuScore = cpus > 0 ? Math.trunc(((usedCpus[i]! + cpus) * 100) / tc) : 100;
      const memScore = memory > 0 ? Math.trunc(((usedMemory[i]! + memory) * 100) / tm) : 100;
      if (cpuScore > 100 || memScore > 100) continue;
      const k1 = direction * (cpuScore + memScore + hf * health[i]!);
      const k2 = direction * cc;
      if (
        best < 0 ||
        b < bestB ||
        k1 < bestK1 ||
        (k1 === bestK1 && (k2 < bestK2 || (k2 === bestK2 && i < best)))
      ) {
        best = i;
        bestB = b;
        bestK1 = k1;
        bestK2 = k2;
      }
    }
    this.best = best;
    this.bestB = bestB;
    this.bestK1 = bestK1;
    this.bestK2 = bestK2;
    this.anyPassedFilters = any;
  }

  /** Weigh node i against the best so far. Returns its app-unit count b, or −1 when rejected. */
  consider(i: number): number {
    const s = this.state;
    if (this.slotsOn && s.containerCount[i]! >= s.slots[i]!) return -1;
    const dyn = this.dyn;
    for (let f = 0; f < dyn.length; f++) if (!dyn[f]!.accepts(s, i, this.r, this.soft)) return -1;
    this.anyPassedFilters = true;
    const b = this.byNode !== undefined ? this.byNode[i]! : 0;
    const direction = this.strategy.direction;
    if (direction === 0) {
      // random: uniform among the nodes with the fewest units of the app (reservoir).
      if (this.best < 0 || b < this.bestB) {
        this.best = i;
        this.bestB = b;
        this.ties = 1;
      } else if (b === this.bestB && this.rng() * ++this.ties < 1) this.best = i;
      return b;
    }
    const w = weigh(s, i, this.r.cpus, this.r.memory, this.strategy.healthFactor);
    if (w !== w) return -1; // NaN: no room on this node
    const k1 = direction * w;
    const k2 = direction * s.containerCount[i]!;
    const best = this.best;
    // Lexicographic (b, k1, k2, node order): full ties go to the first node, like tsuru.
    if (
      best < 0 ||
      b < this.bestB ||
      (b === this.bestB &&
        (k1 < this.bestK1 || (k1 === this.bestK1 && (k2 < this.bestK2 || (k2 === this.bestK2 && i < best)))))
    ) {
      this.best = i;
      this.bestB = b;
      this.bestK1 = k1;
      this.bestK2 = k2;
    }
    return b;
  }
}
