// Unit metrics, router metrics and autoscale settings (src/store/metric-types.ts). Writes
// join against units/apps in the same statement, so samples of a unit or app removed a moment
// ago are dropped instead of failing the batch on the foreign key.
import { NotFoundError } from "../errors.js";
import type { AutoscaleRecord, StoreOps } from "../types.js";
import { type Db, type Param, type Row, Where, fromJson, fromMs, num, str, toJson } from "./db.js";

type MetricOps = Pick<
  StoreOps,
  | "appendUnitMetrics"
  | "listUnitMetrics"
  | "appendRouterMetrics"
  | "listRouterMetrics"
  | "pruneMetrics"
  | "setAutoscale"
  | "listAutoscale"
  | "deleteAutoscale"
>;

/** Rows per statement: at most 6 parameters each stays far below either dialect's limit. */
const CHUNK = 200;

const nullableNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const autoscaleRow = (r: Row): AutoscaleRecord => ({
  app: str(r.app),
  process: str(r.process),
  minUnits: num(r.min_units),
  maxUnits: num(r.max_units),
  cpuPercent: nullableNum(r.cpu_percent),
  requestsPerUnit: nullableNum(r.requests_per_unit),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

async function chunked<T>(items: T[], write: (part: T[]) => Promise<number>): Promise<number> {
  let n = 0;
  for (let i = 0; i < items.length; i += CHUNK) n += await write(items.slice(i, i + CHUNK));
  return n;
}

export function metricOps(db: Db): MetricOps {
  return {
    async appendUnitMetrics(points) {
      return chunked(points, async (part) => {
        const params: Param[] = [];
        for (const p of part) params.push(p.unit, p.name, Math.floor(p.ts), p.value);
        // VALUES columns are column1..4 in both dialects; the casts type PostgreSQL's parameters.
        // "WHERE true" keeps SQLite from reading ON CONFLICT as part of the join.
        return db.run(
          `INSERT INTO unit_metrics (unit, app, process, name, ts, value)
           SELECT u.id, u.app, u.process, v.column2, v.column3, v.column4
           FROM (VALUES ${part
             .map(() => "(?, ?, CAST(? AS BIGINT), CAST(? AS DOUBLE PRECISION))")
             .join(", ")}) AS v
           JOIN units u ON u.id = v.column1 WHERE true
           ON CONFLICT (unit, name, ts) DO UPDATE SET value = excluded.value`,
          params,
        );
      });
    },
    async listUnitMetrics(q) {
      const w = new Where().add("ts >= ?", Math.floor(q.sinceTs));
      if (q.app !== undefined) w.add("app = ?", q.app);
      const rows = await db.all(
        `SELECT unit, app, process, name, ts, value FROM unit_metrics ${w.toString()} ORDER BY ts`,
        w.params,
      );
      return rows.map((r) => ({
        unit: str(r.unit),
        app: str(r.app),
        process: str(r.process),
        name: str(r.name),
        ts: num(r.ts),
        value: num(r.value),
      }));
    },
    async appendRouterMetrics(windows) {
      return chunked(windows, async (part) => {
        const params: Param[] = [];
        for (const w of part)
          params.push(w.router, w.app, Math.floor(w.ts), w.requests, w.errors, toJson(w.latency));
        return db.run(
          `INSERT INTO router_metrics (router, app, ts, requests, errors, latency)
           SELECT v.column1, a.name, v.column3, v.column4, v.column5, v.column6
           FROM (VALUES ${part
             .map(() => "(?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), ?)")
             .join(", ")}) AS v
           JOIN apps a ON a.name = v.column2 WHERE true
           ON CONFLICT (router, app, ts) DO UPDATE SET requests = excluded.requests,
             errors = excluded.errors, latency = excluded.latency`,
          params,
        );
      });
    },
    async listRouterMetrics(q) {
      const w = new Where().add("ts >= ?", Math.floor(q.sinceTs));
      if (q.app !== undefined) w.add("app = ?", q.app);
      const rows = await db.all(
        `SELECT router, app, ts, requests, errors, latency FROM router_metrics ${w.toString()} ORDER BY ts`,
        w.params,
      );
      return rows.map((r) => ({
        router: str(r.router),
        app: str(r.app),
        ts: num(r.ts),
        requests: num(r.requests),
        errors: num(r.errors),
        latency: fromJson<Array<[number, number]>>(r.latency, []),
      }));
    },
    async pruneMetrics(beforeTs) {
      const t = Math.floor(beforeTs);
      return (
        (await db.run("DELETE FROM unit_metrics WHERE ts < ?", [t])) +
        (await db.run("DELETE FROM router_metrics WHERE ts < ?", [t]))
      );
    },
    async setAutoscale(a) {
      const now = Date.now();
      const row = await db.get(
        `INSERT INTO autoscale (app, process, min_units, max_units, cpu_percent, requests_per_unit, created_at, updated_at)
         SELECT name, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION),
           CAST(? AS DOUBLE PRECISION), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM apps WHERE name = ?
         ON CONFLICT (app, process) DO UPDATE SET min_units = excluded.min_units,
           max_units = excluded.max_units, cpu_percent = excluded.cpu_percent,
           requests_per_unit = excluded.requests_per_unit, updated_at = excluded.updated_at
         RETURNING *`,
        [a.process, a.minUnits, a.maxUnits, a.cpuPercent, a.requestsPerUnit, now, now, a.app],
      );
      if (!row) throw new NotFoundError("app", a.app);
      return autoscaleRow(row);
    },
    async listAutoscale(filter = {}) {
      const w = new Where();
      if (filter.app !== undefined) w.add("app = ?", filter.app);
      const rows = await db.all(`SELECT * FROM autoscale ${w.toString()} ORDER BY app, process`, w.params);
      return rows.map(autoscaleRow);
    },
    async deleteAutoscale(app, process) {
      return (await db.run("DELETE FROM autoscale WHERE app = ? AND process = ?", [app, process])) > 0;
    },
  };
}
