// ClusterState: the scheduler's read model of the nodes and what runs on them, kept as
// columns indexed by node slot so a placement decision touches typed arrays instead of
// re-counting units. Every count the scheduler needs (per node, per app+process per node,
// per app+process per metadata group) is updated by addContainer/removeContainer.
import { AppCountsTable, type AppProcCounts } from "./app-counts.js";
import { splitMetadata } from "./groups.js";
import { imageNames, stripSlash, toRecord, type ContainerRec } from "./records.js";
import type { ContainerSpec, NodeSpec, Placement } from "./types.js";

export type { ContainerRec } from "./records.js";
export type { AppProcCounts } from "./app-counts.js";

export interface ClusterStateOptions {
  /** Swarm's swarm.overcommit, default 0.05. Must be > -1. */
  overcommit?: number;
  /** Internal: copy an already-truncated ratio (clone) without float round trips. */
  overcommitRatio?: number;
}

const GO_INT = /^[+-]?\d+$/;
export const JOURNAL_SIZE = 1 << 16;

export class ClusterState {
  /** int64(overcommit × 100), as Swarm computes it. */
  readonly overcommitRatio: number;
  /** Bumped whenever a node attribute used by static filters changes; caches key on it. */
  version = 0;

  // Node columns, indexed by slot. Slots of removed nodes stay dead (alive = 0).
  readonly specs: (NodeSpec | undefined)[] = [];
  readonly ids: string[] = [];
  readonly names: string[] = [];
  readonly pools: string[] = [];
  /** Labels the constraint filter sees: metadata overlaid by engine labels. */
  readonly labels: Readonly<Record<string, string>>[] = [];
  alive = new Uint8Array(16);
  enabled = new Uint8Array(16);
  health = new Int32Array(16);
  totalCpus = new Float64Array(16);
  totalMemory = new Float64Array(16);
  usedCpus = new Float64Array(16);
  usedMemory = new Float64Array(16);
  /** All containers on the node, stopped and pending included (Swarm's tie-breaker, tsuru's (c)). */
  containerCount = new Int32Array(16);
  /** containerslots label, Infinity when absent or not an integer. */
  slots = new Float64Array(16);
  /** Global metadata-group id per node. */
  groupId = new Int32Array(16);
  readonly nodeContainers: Map<string, ContainerRec>[] = [];
  readonly images: Set<string>[] = [];
  /** Bridge-mode host ports in use: hostPort → host IPs. */
  readonly bridgePorts: Map<string, string[]>[] = [];
  /** Host-network exposed ports in use: "80/tcp" → count. */
  readonly hostPorts: Map<string, number>[] = [];

  /**
   * Change journal for node usage: every attach/detach appends the node slot, and
   * stamp[i] is the journal position (+1) of node i's latest change. Ordered views
   * (ordered.ts) use it to find the few nodes that changed since they were sorted.
   */
  changes = 0;
  stamp = new Float64Array(16);
  readonly journal = new Int32Array(JOURNAL_SIZE);

  private readonly slotOf = new Map<string, number>();
  private readonly poolNodes = new Map<string, number[]>();
  private readonly containers = new Map<string, ContainerRec>();
  private readonly byName = new Map<string, string>();
  private readonly appCounts = new AppCountsTable();
  private groupsDirty = true;
  private groupTotal = 1;
  private readonly poolGroupIds = new Map<string, number[]>();
  private seq = 0;

  constructor(nodes: readonly NodeSpec[] = [], options: ClusterStateOptions = {}) {
    const overcommit = options.overcommit ?? 0.05;
    if (!(overcommit > -1)) throw new RangeError("overcommit must be > -1");
    this.overcommitRatio = options.overcommitRatio ?? Math.trunc(overcommit * 100);
    for (const n of nodes) this.addNode(n);
  }

  // ---- nodes -------------------------------------------------------------------------

  get slotCount(): number {
    return this.ids.length;
  }

  slot(nodeId: string): number | undefined {
    return this.slotOf.get(nodeId);
  }

  /** Alive node slots of a pool in node-list (insertion) order; "" is "no pool". */
  nodesInPool(pool: string): readonly number[] {
    return this.poolNodes.get(pool) ?? [];
  }

  /** Every alive node slot, in node-list order. */
  allNodes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.alive[i]) out.push(i);
    return out;
  }

  private grow(): void {
    const cap = this.alive.length * 2;
    const g = <T extends Uint8Array | Int32Array | Float64Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.alive = g(this.alive, Uint8Array);
    this.enabled = g(this.enabled, Uint8Array);
    this.health = g(this.health, Int32Array);
    this.totalCpus = g(this.totalCpus, Float64Array);
    this.totalMemory = g(this.totalMemory, Float64Array);
    this.usedCpus = g(this.usedCpus, Float64Array);
    this.usedMemory = g(this.usedMemory, Float64Array);
    this.containerCount = g(this.containerCount, Int32Array);
    this.slots = g(this.slots, Float64Array);
    this.groupId = g(this.groupId, Int32Array);
    this.stamp = g(this.stamp, Float64Array);
  }

  addNode(spec: NodeSpec): void {
    if (this.slotOf.has(spec.id)) throw new Error(`node ${spec.id} already exists`);
    const i = this.ids.length;
    if (i >= this.alive.length) this.grow();
    this.ids.push(spec.id);
    this.slotOf.set(spec.id, i);
    this.names.push("");
    this.pools.push("");
    this.labels.push({});
    this.specs.push(undefined);
    this.nodeContainers.push(new Map());
    this.images.push(new Set());
    this.bridgePorts.push(new Map());
    this.hostPorts.push(new Map());
    this.alive[i] = 1;
    this.setAttributes(i, spec);
    for (const c of spec.containers ?? []) this.addContainer(spec.id, c);
  }

  /** Replace a node's attributes (labels, metadata, capacity, health…) keeping its containers. */
  updateNode(spec: NodeSpec): void {
    const i = this.mustSlot(spec.id);
    this.setAttributes(i, spec);
  }

  private setAttributes(i: number, spec: NodeSpec): void {
    const oldPool = this.specs[i] ? this.pools[i] : undefined;
    const pool = spec.metadata?.["pool"] ?? "";
    this.specs[i] = { ...spec, containers: [] };
    this.names[i] = spec.name ?? spec.id;
    this.labels[i] = { ...spec.metadata, ...spec.labels };
    this.enabled[i] = spec.enabled === false ? 0 : 1;
    this.health[i] = spec.health ?? 100;
    const r = this.overcommitRatio;
    // Integer arithmetic like Swarm: a 4-CPU engine gets no CPU overcommit at 5%.
    this.totalCpus[i] = spec.cpus + Math.trunc((spec.cpus * r) / 100);
    this.totalMemory[i] = spec.memory + Math.trunc((spec.memory * r) / 100);
    const s = this.labels[i]?.["containerslots"];
    this.slots[i] = s !== undefined && GO_INT.test(s) ? Number(s) : Infinity;
    for (const img of spec.images ?? []) for (const n of imageNames(img)) this.images[i]!.add(n);
    if (oldPool !== pool) {
      if (oldPool !== undefined) this.detachFromPool(i, oldPool);
      this.pools[i] = pool;
      let list = this.poolNodes.get(pool);
      if (!list) this.poolNodes.set(pool, (list = []));
      // Keep node-list order (tsuru breaks ties by it); new nodes append at the end.
      let at = list.length;
      while (at > 0 && list[at - 1]! > i) at--;
      list.splice(at, 0, i);
    }
    this.groupsDirty = true;
    this.version++;
  }

  private detachFromPool(i: number, pool: string): void {
    const list = this.poolNodes.get(pool);
    if (!list) return;
    const at = list.indexOf(i);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.poolNodes.delete(pool);
  }

  /** Remove a node and forget its containers (move them first to keep them). */
  removeNode(nodeId: string): void {
    const i = this.mustSlot(nodeId);
    for (const id of [...this.nodeContainers[i]!.keys()]) this.removeContainer(id);
    this.detachFromPool(i, this.pools[i]!);
    this.alive[i] = 0;
    this.slotOf.delete(nodeId);
    this.specs[i] = undefined;
    this.groupsDirty = true;
    this.version++;
  }

  setHealth(nodeId: string, health: number): void {
    const i = this.mustSlot(nodeId);
    if (this.health[i] === health) return;
    this.health[i] = health;
    this.specs[i] = { ...this.specs[i]!, health };
    this.version++;
  }

  setEnabled(nodeId: string, enabled: boolean): void {
    const i = this.mustSlot(nodeId);
    this.enabled[i] = enabled ? 1 : 0;
    this.specs[i] = { ...this.specs[i]!, enabled };
    this.version++;
  }

  private mustSlot(nodeId: string): number {
    const i = this.slotOf.get(nodeId);
    if (i === undefined) throw new Error(`unknown node ${nodeId}`);
    return i;
  }

  // ---- metadata groups ---------------------------------------------------------------

  /** Recompute groups after node changes; cheap to call on every decision. */
  ensureGroups(): void {
    if (!this.groupsDirty) return;
    this.groupsDirty = false;
    let next = 0;
    this.poolGroupIds.clear();
    for (const [pool, slots] of this.poolNodes) {
      const split = splitMetadata(slots.map((s) => this.specs[s]!.metadata ?? {}));
      const ids: number[] = [];
      for (let g = 0; g < split.count; g++) ids.push(next + g);
      slots.forEach((s, k) => (this.groupId[s] = next + split.groupOf[k]!));
      this.poolGroupIds.set(pool, ids);
      next += split.count;
    }
    this.groupTotal = Math.max(1, next);
    this.appCounts.regroup(this.groupTotal, this.groupId, this.alive, this.ids.length);
  }

  /** Global group ids of a pool, smallest group first. */
  groupsOfPool(pool: string): readonly number[] {
    this.ensureGroups();
    return this.poolGroupIds.get(pool) ?? [];
  }

  // ---- app+process counts --------------------------------------------------------------

  /** Counts for app+process, or undefined when it has no units anywhere yet. */
  counts(app: string, process: string | undefined): AppProcCounts | undefined {
    return this.appCounts.get(app, process, this.alive.length);
  }

  // ---- containers ----------------------------------------------------------------------

  container(id: string): ContainerRec | undefined {
    return this.containers.get(id);
  }

  /** Swarm's lookup order (§7): exact id, short id, name (with or without "/"), unique id prefix. */
  findContainer(ref: string): ContainerRec | undefined {
    const exact = this.containers.get(ref);
    if (exact) return exact;
    const byName = this.byName.get(stripSlash(ref));
    if (byName) return this.containers.get(byName);
    if (ref.length === 0) return undefined;
    let found: ContainerRec | undefined;
    for (const c of this.containers.values()) {
      if (c.id.startsWith(ref)) {
        if (found) return undefined;
        found = c;
      }
    }
    return found;
  }

  addContainer(nodeId: string, spec: ContainerSpec): ContainerRec {
    const i = this.mustSlot(nodeId);
    if (this.containers.has(spec.id)) throw new Error(`container ${spec.id} already exists`);
    const rec = toRecord(spec, i);
    if (rec.name !== undefined) {
      if (this.byName.has(rec.name)) throw new Error(`container name ${rec.name} already in use`);
      this.byName.set(rec.name, rec.id);
    }
    this.containers.set(rec.id, rec);
    this.attach(rec, i);
    return rec;
  }

  removeContainer(id: string): ContainerRec | undefined {
    const rec = this.containers.get(id);
    if (!rec) return undefined;
    this.detach(rec);
    this.containers.delete(id);
    if (rec.name !== undefined) this.byName.delete(rec.name);
    return rec;
  }

  /** Move a container to another node, keeping its identity (rebalance, rescheduling). */
  moveContainer(id: string, toNodeId: string): void {
    const rec = this.containers.get(id);
    if (!rec) throw new Error(`unknown container ${id}`);
    const to = this.mustSlot(toNodeId);
    this.detach(rec);
    this.attach(rec, to);
  }

  /** Record a placement chosen by the Scheduler; returns the new container's id. */
  commit(p: Placement): string {
    const r = p.request;
    const id = r.id ?? `${r.app ?? "container"}-${++this.seq}`;
    this.addContainer(p.nodeId, {
      id,
      name: r.name,
      image: r.image,
      labels: r.labels,
      app: r.app,
      process: r.process,
      cpus: r.cpus,
      memory: r.memory,
      portBindings: r.portBindings,
      hostNetwork: r.hostNetwork,
      exposedPorts: r.exposedPorts,
    });
    // The engine pulls the image on create, so the node holds it from now on.
    if (r.image !== undefined) this.images[this.slotOf.get(p.nodeId)!]!.add(r.image);
    return id;
  }

  private touch(i: number): void {
    this.journal[this.changes % JOURNAL_SIZE] = i;
    this.stamp[i] = ++this.changes;
  }

  private attach(rec: ContainerRec, i: number): void {
    this.touch(i);
    rec.node = i;
    this.nodeContainers[i]!.set(rec.id, rec);
    this.containerCount[i]!++;
    this.usedCpus[i]! += rec.cpus;
    this.usedMemory[i]! += rec.memory;
    for (const b of rec.portBindings) {
      if (b.hostPort === "") continue;
      const m = this.bridgePorts[i]!;
      const ips = m.get(b.hostPort);
      if (ips) ips.push(b.hostIp);
      else m.set(b.hostPort, [b.hostIp]);
    }
    if (rec.hostNetwork)
      for (const p of rec.exposedPorts) this.hostPorts[i]!.set(p, (this.hostPorts[i]!.get(p) ?? 0) + 1);
    if (rec.app !== undefined) {
      this.ensureGroups();
      const c = this.appCounts.getOrCreate(rec.app, rec.process, this.alive.length, this.groupTotal);
      c.byNode[i]!++;
      c.byGroup[this.groupId[i]!]!++;
      c.total++;
    }
  }

  private detach(rec: ContainerRec): void {
    const i = rec.node;
    this.touch(i);
    this.nodeContainers[i]!.delete(rec.id);
    this.containerCount[i]!--;
    this.usedCpus[i]! -= rec.cpus;
    this.usedMemory[i]! -= rec.memory;
    for (const b of rec.portBindings) {
      const ips = this.bridgePorts[i]!.get(b.hostPort);
      if (!ips) continue;
      ips.splice(ips.indexOf(b.hostIp), 1);
      if (ips.length === 0) this.bridgePorts[i]!.delete(b.hostPort);
    }
    if (rec.hostNetwork)
      for (const p of rec.exposedPorts) {
        const n = (this.hostPorts[i]!.get(p) ?? 1) - 1;
        if (n === 0) this.hostPorts[i]!.delete(p);
        else this.hostPorts[i]!.set(p, n);
      }
    if (rec.app !== undefined) {
      this.ensureGroups();
      const c = this.appCounts.getOrCreate(rec.app, rec.process, this.alive.length, this.groupTotal);
      c.byNode[i]!--;
      c.byGroup[this.groupId[i]!]!--;
      c.total--;
    }
  }

  /** Units of app+process, optionally only those on one node. */
  unitsOf(app: string, process: string | undefined, nodeSlot?: number): ContainerRec[] {
    const proc = process ?? "";
    const from = nodeSlot === undefined ? this.containers.values() : this.nodeContainers[nodeSlot]!.values();
    const out: ContainerRec[] = [];
    for (const c of from) if (c.app === app && c.process === proc) out.push(c);
    return out;
  }

  /** Processes that have units of an app. */
  processesOf(app: string): string[] {
    return this.appCounts.processesOf(app);
  }

  /** A deep copy (for dry runs such as the rebalance planner). */
  clone(): ClusterState {
    const copy = new ClusterState([], { overcommitRatio: this.overcommitRatio });
    for (let i = 0; i < this.ids.length; i++) {
      if (!this.alive[i]) continue;
      copy.addNode(this.specs[i]!);
      const imgs = copy.images[copy.slot(this.ids[i]!)!]!;
      for (const n of this.images[i]!) imgs.add(n);
    }
    for (const c of this.containers.values()) copy.addContainer(this.ids[c.node]!, c);
    copy.seq = this.seq;
    return copy;
  }
}
