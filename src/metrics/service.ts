// Unit and router metrics for one server: agent samples come in with the agents' reports,
// router counts through the store (every router writes its rows there, embedded or not; the
// embedded router hands them over in-process as well, addRouterRows), and
// the last hour of every series is kept in memory (SeriesStore) and in the store. The memory
// is loaded from the store at start (so a restart keeps the hour) and refreshed from it every
// step, so several servers on PostgreSQL, and servers whose agents report elsewhere, show the
// same series. Each refresh also drops the series of units and apps that are gone, and the
// store's rows older than the hour are pruned once a minute.
import type { Logger } from "pino";
import type { AgentUnitSample } from "../agent/protocol.js";
import type { RouterMetricWindow, Store, UnitRecord } from "../store/types.js";
import {
  ROUTED_PROCESS,
  ROUTER_SERIES,
  SERIES_NAMES,
  type AppMetrics,
  type MetricSeries,
  type SeriesName,
} from "./names.js";
import { mergeRouterRows } from "./router-merge.js";
import { samplePoints } from "./samples.js";
import { SeriesStore } from "./series-store.js";
import { STEP_S, windowStart } from "../util/steps.js";

export interface MetricsServiceOptions {
  store: Store;
  log: Pick<Logger, "warn">;
  /** Milliseconds since the epoch. */
  now?: () => number;
  refreshMs?: number;
}

/** Steps re-read from the store at each refresh: late rows of routers and other servers. */
const REFRESH_STEPS = 6;
/** Refreshes between prunes of the store. */
const PRUNE_EVERY = 6;

export class MetricsService {
  readonly series = new SeriesStore();
  private timer: NodeJS.Timeout | undefined;
  private refreshes = 0;
  private busy: Promise<void> | undefined;
  private loaded: Promise<void> | undefined;
  private readonly now: () => number;
  /**
   * The routers' rows of the last few steps, by router, app and step: a step's series value is
   * the merge of every router's row, so a row arriving later (another router, the store) is
   * merged with those already here.
   */
  private readonly recentRows = new Map<string, RouterMetricWindow>();

  constructor(private readonly o: MetricsServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  nowS(): number {
    return Math.floor(this.now() / 1000);
  }

  /** The last hour read from the store once (the first read of a fresh server waits for it). */
  loadOnce(): Promise<void> {
    this.loaded ??= this.refresh(windowStart(this.nowS()));
    return this.loaded;
  }

  /** Loads the last hour from the store, then refreshes every step. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.loadOnce();
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.o.refreshMs ?? STEP_S * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stores a node agent's samples (units of that node only). Returns the points kept. */
  async ingest(node: string, samples: readonly AgentUnitSample[]): Promise<number> {
    if (samples.length === 0) return 0;
    const units = new Map<string, UnitRecord>();
    for (const u of await this.o.store.listUnits({ node })) units.set(u.id, u);
    const points = samplePoints(node, samples, units, this.nowS());
    if (points.length === 0) return 0;
    await this.o.store.appendUnitMetrics(points);
    for (const p of points) {
      const u = units.get(p.unit)!;
      this.series.set(u.app, { name: p.name as SeriesName, process: u.process, unit: u.id }, p.ts, p.value);
    }
    return points.length;
  }

  /**
   * Reads rows since `sinceTs` (default: the last few steps) into memory, then drops what is
   * gone; one refresh at a time (a caller waits for the one running).
   */
  refresh(sinceTs?: number): Promise<void> {
    if (this.busy) return this.busy;
    this.busy = this.refreshOnce(sinceTs ?? this.nowS() - REFRESH_STEPS * STEP_S)
      .catch((err: unknown) => this.o.log.warn({ err }, "metrics: could not read the store"))
      .finally(() => (this.busy = undefined));
    return this.busy;
  }

  private async refreshOnce(sinceTs: number): Promise<void> {
    const store = this.o.store;
    const [points, rows, units, apps] = await Promise.all([
      store.listUnitMetrics({ sinceTs }),
      store.listRouterMetrics({ sinceTs }),
      store.listUnits(),
      store.listApps(),
    ]);
    const liveUnits = new Set(units.map((u) => u.id));
    for (const p of points)
      if (liveUnits.has(p.unit))
        this.series.set(
          p.app,
          { name: p.name as SeriesName, process: p.process, unit: p.unit },
          p.ts,
          p.value,
        );
    this.applyRouterRows(rows);
    this.series.retain(new Set(apps.map((a) => a.name)), liveUnits, this.nowS());
    if (++this.refreshes % PRUNE_EVERY === 0) await store.pruneMetrics(windowStart(this.nowS()) - STEP_S);
  }

  /** Rows of a router in this process (the embedded one): in memory now, in the store too. */
  addRouterRows(rows: readonly RouterMetricWindow[]): void {
    this.applyRouterRows(rows);
  }

  private applyRouterRows(rows: readonly RouterMetricWindow[]): void {
    const touched = new Set<string>();
    for (const r of rows) {
      this.recentRows.set(`${r.router}\u0000${r.app}\u0000${r.ts}`, r);
      touched.add(`${r.app}\u0000${r.ts}`);
    }
    const steps = [...this.recentRows.values()].filter((r) => touched.has(`${r.app}\u0000${r.ts}`));
    for (const step of mergeRouterRows(steps))
      for (const name of ROUTER_SERIES) {
        const v = step.values[name];
        if (v !== undefined)
          this.series.set(step.app, { name, process: ROUTED_PROCESS, unit: "" }, step.ts, v);
      }
    const oldest = this.nowS() - (REFRESH_STEPS + 1) * STEP_S;
    for (const [k, r] of this.recentRows) if (r.ts < oldest) this.recentRows.delete(k);
  }

  /** Processes that have series in memory (for the API's check of `process`). */
  async processesWithSeries(app: string): Promise<Set<string>> {
    await this.loadOnce();
    return this.series.processes(app);
  }

  /** The app's series since `sinceS` (clipped to the hour kept), router series first. */
  async read(app: string, sinceS: number, process?: string): Promise<AppMetrics> {
    await this.loadOnce();
    const rank = (n: SeriesName) => String(SERIES_NAMES.indexOf(n)).padStart(2, "0");
    const order = (s: MetricSeries) =>
      `${s.unit === "" ? 0 : 1}${s.process}\u0000${s.unit}\u0000${rank(s.name)}`;
    const series = this.series
      .read(app, sinceS, this.nowS(), process)
      .sort((a, b) => order(a).localeCompare(order(b)));
    return { step: STEP_S, series };
  }
}
