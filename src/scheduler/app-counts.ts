// Per app+process unit counts: the HA score's (a) per metadata group and (b) per node.
// Dense Int32Arrays (4 bytes × node slots per app+process) keep the placement loop
// branch-free; they widen lazily as nodes are added.

/** Counts for one app+process. */
export interface AppProcCounts {
  byNode: Int32Array;
  byGroup: Int32Array;
  total: number;
}

const key = (app: string, process: string | undefined): string => app + "\u0000" + (process ?? "");

export class AppCountsTable {
  private readonly map = new Map<string, AppProcCounts>();

  /** Counts for app+process, widened to `slots`; undefined when it never had units. */
  get(app: string, process: string | undefined, slots: number): AppProcCounts | undefined {
    const c = this.map.get(key(app, process));
    if (c && c.byNode.length < slots) widen(c, slots);
    return c;
  }

  getOrCreate(app: string, process: string | undefined, slots: number, groups: number): AppProcCounts {
    const k = key(app, process);
    let c = this.map.get(k);
    if (!c)
      this.map.set(k, (c = { byNode: new Int32Array(slots), byGroup: new Int32Array(groups), total: 0 }));
    else if (c.byNode.length < slots) widen(c, slots);
    return c;
  }

  /** Recompute every group count from node counts after the groups changed. */
  regroup(groups: number, groupId: Int32Array, alive: Uint8Array, slots: number): void {
    for (const c of this.map.values()) {
      c.byGroup = new Int32Array(groups);
      const n = Math.min(c.byNode.length, slots);
      for (let i = 0; i < n; i++) if (alive[i] && c.byNode[i]) c.byGroup[groupId[i]!]! += c.byNode[i]!;
    }
  }

  /** Processes that currently have units of an app. */
  processesOf(app: string): string[] {
    const out: string[] = [];
    for (const [k, c] of this.map) {
      const [a, p] = k.split("\u0000") as [string, string];
      if (a === app && c.total > 0) out.push(p);
    }
    return out;
  }
}

function widen(c: AppProcCounts, slots: number): void {
  const b = new Int32Array(slots);
  b.set(c.byNode);
  c.byNode = b;
}
