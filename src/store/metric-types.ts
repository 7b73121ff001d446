// Records and operations for unit metrics (samples of the node agents), router metrics (what
// each router counted per app and 10 s step) and autoscale settings per process. Rows older
// than the hour Wharf keeps are pruned; a unit's rows go with the unit (foreign key), an
// app's router rows and autoscale settings with the app.

/** One value of one unit series at one step (time = step start, unix seconds). */
export interface UnitMetricPoint {
  unit: string;
  name: string;
  ts: number;
  value: number;
}

export interface StoredUnitMetricPoint extends UnitMetricPoint {
  app: string;
  process: string;
}

/** What one router counted for one app during one step. */
export interface RouterMetricWindow {
  router: string;
  app: string;
  ts: number;
  requests: number;
  errors: number;
  /** Sparse latency histogram (src/metrics/latency.ts): [bucket, count] pairs. */
  latency: Array<[number, number]>;
}

export interface AutoscaleRecord {
  app: string;
  process: string;
  minUnits: number;
  maxUnits: number;
  /** Target mean CPU per unit, percent of one core; null = not a target. */
  cpuPercent: number | null;
  /** Target requests per second per unit; null = not a target. */
  requestsPerUnit: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewAutoscale = Omit<AutoscaleRecord, "createdAt" | "updatedAt">;

export interface MetricStoreOps {
  /** Upserts points by (unit, name, ts); points of units that no longer exist are dropped. Returns rows written. */
  appendUnitMetrics(points: UnitMetricPoint[]): Promise<number>;
  /** Points with ts >= sinceTs, of one app or every app. */
  listUnitMetrics(q: { sinceTs: number; app?: string }): Promise<StoredUnitMetricPoint[]>;
  /** Upserts windows by (router, app, ts); windows of apps that no longer exist are dropped. */
  appendRouterMetrics(windows: RouterMetricWindow[]): Promise<number>;
  listRouterMetrics(q: { sinceTs: number; app?: string }): Promise<RouterMetricWindow[]>;
  /** Deletes unit and router rows with ts < beforeTs. Returns rows deleted. */
  pruneMetrics(beforeTs: number): Promise<number>;
  /** Upsert by (app, process). NotFoundError when the app does not exist. */
  setAutoscale(a: NewAutoscale): Promise<AutoscaleRecord>;
  listAutoscale(filter?: { app?: string }): Promise<AutoscaleRecord[]>;
  /** Returns whether a setting was removed. */
  deleteAutoscale(app: string, process: string): Promise<boolean>;
}
