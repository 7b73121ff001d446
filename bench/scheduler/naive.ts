// The baseline: a straightforward scheduler that does per decision what classic Swarm
// (listNodes → filters → weigh → sort) and tsuru's segregated scheduler (aggregate the
// container collection by host) do: rebuild each node's snapshot from its container
// list, parse the expressions, filter, score every candidate, sort, take the first.
// It applies the same rules as the fast path, so both must choose the same nodes.
// Metadata groups are computed once up front (tsuru recomputes them per decision), which
// only flatters the baseline.
import {
  exprMatch,
  parseExprs,
  splitMetadata,
  type NodeSpec,
  type UnitRequest,
} from "../../src/scheduler/index.js";

interface NaiveUnit {
  app: string;
  process: string;
  cpus: number;
  memory: number;
}

interface NaiveNode {
  spec: NodeSpec;
  index: number;
  pool: string;
  labels: Record<string, string>;
  totalCpus: number;
  totalMemory: number;
  group: number;
  units: NaiveUnit[];
}

export class NaiveScheduler {
  private readonly nodes: NaiveNode[];

  constructor(specs: readonly NodeSpec[], overcommit = 0.05) {
    const ratio = Math.trunc(overcommit * 100);
    this.nodes = specs.map((spec, index) => ({
      spec,
      index,
      pool: spec.metadata?.["pool"] ?? "",
      labels: { ...spec.metadata, ...spec.labels },
      totalCpus: spec.cpus + Math.trunc((spec.cpus * ratio) / 100),
      totalMemory: spec.memory + Math.trunc((spec.memory * ratio) / 100),
      group: 0,
      units: [],
    }));
    const pools = new Map<string, NaiveNode[]>();
    for (const n of this.nodes) pools.set(n.pool, [...(pools.get(n.pool) ?? []), n]);
    let base = 0;
    for (const list of pools.values()) {
      const split = splitMetadata(list.map((n) => n.spec.metadata ?? {}));
      list.forEach((n, k) => (n.group = base + split.groupOf[k]!));
      base += split.count;
    }
  }

  /** Returns the chosen node id, or undefined. */
  place(req: UnitRequest): string | undefined {
    const parsed = parseExprs(req.constraints);
    if (!parsed.ok) return undefined;
    const exprs = parsed.value;
    const app = req.app ?? "";
    const process = req.process ?? "";
    const cpus = req.cpus ?? 0;
    const memory = req.memory ?? 0;
    // Filters: pool, enabled, health, constraints.
    const candidates = this.nodes.filter(
      (n) =>
        n.pool === req.pool &&
        n.spec.enabled !== false &&
        (n.spec.health ?? 100) > 0 &&
        exprs.every((e) =>
          e.key === "node"
            ? exprMatch(e, [n.spec.id, n.spec.name ?? n.spec.id])
            : exprMatch(e, [n.labels[e.key] ?? ""]),
        ),
    );
    // Snapshot: used resources and counts recomputed from each node's containers.
    const rows = candidates.map((n) => {
      let usedCpus = 0;
      let usedMemory = 0;
      let mine = 0;
      for (const u of n.units) {
        usedCpus += u.cpus;
        usedMemory += u.memory;
        if (u.app === app && u.process === process) mine++;
      }
      return { n, usedCpus, usedMemory, mine, total: n.units.length, groupCount: 0, weight: 0 };
    });
    const byGroup = new Map<number, number>();
    for (const r of rows) byGroup.set(r.n.group, (byGroup.get(r.n.group) ?? 0) + r.mine);
    // Weigh (Swarm spread, health factor −10) and drop nodes without room.
    const weighed = rows.filter((r) => {
      r.groupCount = byGroup.get(r.n.group)!;
      if (r.n.totalMemory < memory || r.n.totalCpus < cpus) return false;
      const cpuScore = cpus > 0 ? Math.trunc(((r.usedCpus + cpus) * 100) / r.n.totalCpus) : 100;
      const memScore = memory > 0 ? Math.trunc(((r.usedMemory + memory) * 100) / r.n.totalMemory) : 100;
      if (cpuScore > 100 || memScore > 100) return false;
      r.weight = cpuScore + memScore - 10 * (r.n.spec.health ?? 100);
      return true;
    });
    weighed.sort(
      (x, y) =>
        x.groupCount - y.groupCount ||
        x.mine - y.mine ||
        x.weight - y.weight ||
        x.total - y.total ||
        x.n.index - y.n.index,
    );
    const best = weighed[0];
    if (!best) return undefined;
    best.n.units.push({ app, process, cpus, memory });
    return best.n.spec.id;
  }
}
