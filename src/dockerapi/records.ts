// The endpoint's containers' records, held in memory by this server so a request does not
// read (and map) every record of the store: every create, ps, info and start used to list
// all of them (30,000 rows on a big pool, each a synchronous SQLite call that holds the loop).
// The store stays the truth: this copy is loaded from it, follows every write this server
// makes (the store handed to the handlers is tapped, transactions applied once committed),
// and is read again from the store in the background when it is older than `maxAgeMs` (a
// minute: each read holds the loop) or
// when a node reports an endpoint container the copy does not know (made through another
// server). Work that decides on records' fate (sweep, rescheduling) reads the store itself.
import type { DockerContainerRecord, Store, StoreOps, StoreTx } from "../store/types.js";

export type RecordFilter = Parameters<StoreOps["listDockerContainers"]>[0];

/** The store's order: created_at, then swarm id. */
const storeOrder = (a: DockerContainerRecord, b: DockerContainerRecord): number =>
  a.createdAt.getTime() - b.createdAt.getTime() ||
  (a.swarmId < b.swarmId ? -1 : a.swarmId > b.swarmId ? 1 : 0);

export class DockerRecords {
  private byId = new Map<string, DockerContainerRecord>();
  /** Swarm ids in the store's order (ids of dropped records are skipped, then compacted); null = sort again. */
  private order: string[] | null = [];
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  /** Writes made while a reload reads the store, replayed on the copy it returns. */
  private duringLoad: (() => void)[] | null = null;

  constructor(
    private readonly store: Pick<StoreOps, "listDockerContainers">,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** What store.listDockerContainers(filter) answers, in the same order (created_at, swarm id). */
  async list(filter: RecordFilter = {}): Promise<DockerContainerRecord[]> {
    if (this.loadedAt === 0) await this.reload();
    else if (this.now() - this.loadedAt > this.maxAgeMs) void this.reload().catch(() => undefined);
    const teams = filter.teams ? new Set(filter.teams) : null;
    const order = (this.order ??= [...this.byId.values()].sort(storeOrder).map((r) => r.swarmId));
    const out: DockerContainerRecord[] = [];
    for (const id of order) {
      const r = this.byId.get(id);
      if (
        r &&
        (!teams || teams.has(r.team)) &&
        (filter.node === undefined || r.node === filter.node) &&
        (filter.pool === undefined || r.pool === filter.pool)
      )
        out.push(r);
    }
    if (order.length > 2 * this.byId.size + 1000) this.order = null;
    return out;
  }

  has(swarmId: string): boolean {
    return this.byId.has(swarmId);
  }

  /** Reads every record from the store again (concurrent calls share one read). */
  reload(): Promise<void> {
    this.loading ??= (async () => {
      const replay: (() => void)[] = [];
      this.duringLoad = replay;
      try {
        const rows = await this.store.listDockerContainers();
        this.byId = new Map(rows.map((r) => [r.swarmId, r]));
        this.order = rows.map((r) => r.swarmId);
        for (const f of replay) f();
        this.loadedAt = this.now();
      } finally {
        this.duringLoad = null;
        this.loading = null;
      }
    })();
    return this.loading;
  }

  put(r: DockerContainerRecord): void {
    const apply = () => {
      // An updated record keeps its place (created_at does not change); a new one usually goes last.
      const known = this.byId.has(r.swarmId);
      this.byId.set(r.swarmId, r);
      if (known || !this.order) return;
      const last = this.byId.get(this.order[this.order.length - 1] ?? "");
      if (last && storeOrder(last, r) < 0) this.order.push(r.swarmId);
      else this.order = null;
    };
    apply();
    this.duringLoad?.push(apply);
  }

  drop(swarmId: string): void {
    const apply = () => void this.byId.delete(swarmId);
    apply();
    this.duringLoad?.push(apply);
  }

  /** The store with its endpoint-container writes mirrored here (a transaction's once it commits). */
  tap(store: Store): Store {
    const tx = async <T>(fn: (t: StoreTx) => Promise<T>): Promise<T> => {
      const committed: (() => void)[] = [];
      const out = await store.tx((t) => fn(this.tapOps(t, (f) => committed.push(f), {})));
      for (const f of committed) f();
      return out;
    };
    return this.tapOps(store, (f) => f(), { tx });
  }

  /** `s` with its container writes also applied here (through `then`), and `extra` overriding. */
  private tapOps<S extends StoreOps>(s: S, then: (apply: () => void) => void, extra: object): S {
    const own: Record<string | symbol, unknown> = {
      ...extra,
      createDockerContainer: async (c: Parameters<StoreOps["createDockerContainer"]>[0]) => {
        const r = await s.createDockerContainer(c);
        then(() => this.put(r));
        return r;
      },
      updateDockerContainer: async (...a: Parameters<StoreOps["updateDockerContainer"]>) => {
        const r = await s.updateDockerContainer(...a);
        if (r) then(() => this.put(r));
        return r;
      },
      deleteDockerContainer: async (swarmId: string) => {
        await s.deleteDockerContainer(swarmId);
        then(() => this.drop(swarmId));
      },
    };
    return new Proxy(s, {
      get: (target, prop) => {
        if (prop in own) return own[prop];
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

/** The reads the scheduler's view makes, with the endpoint's records from this copy. */
export function viewReads(
  store: StoreOps,
  records: DockerRecords,
): Pick<
  StoreOps,
  "listNodes" | "listUnits" | "listApps" | "listPlans" | "listServiceContainers" | "listDockerContainers"
> {
  return {
    listNodes: () => store.listNodes(),
    listUnits: () => store.listUnits(),
    listApps: () => store.listApps(),
    listPlans: () => store.listPlans(),
    listServiceContainers: () => store.listServiceContainers(),
    listDockerContainers: (f) => records.list(f),
  };
}
