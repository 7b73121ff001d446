// App log history: appends (with the per-app bound applied in the same transaction),
// reads of the newest lines, and the newest stored time per unit (where collection resumes).
import type { AppLogRecord, StoreOps } from "../types.js";
import { type Db, type Param, type Row, Where, fromMs, marks, num, str } from "./db.js";

type LogOps = Pick<StoreOps, "appendAppLogs" | "listAppLogs" | "listUnitLogMarks">;

const logRow = (r: Row): AppLogRecord => ({
  id: num(r.id),
  app: str(r.app),
  date: fromMs(r.date),
  message: str(r.message),
  source: str(r.source),
  unit: str(r.unit),
});

/** Rows per INSERT: 5 parameters each stays far below either dialect's parameter limit. */
const CHUNK = 200;

export function logOps(db: Db): LogOps {
  return {
    async appendAppLogs(lines, keepPerApp) {
      if (lines.length === 0) return [];
      const names = [...new Set(lines.map((l) => l.app))];
      // Lines of apps removed meanwhile are dropped rather than failing the whole batch.
      const existing = new Set(
        (
          await db.all<{ name: unknown }>(
            `SELECT name FROM apps WHERE name IN (${marks(names.length)})`,
            names,
          )
        ).map((r) => str(r.name)),
      );
      const kept = lines.filter((l) => existing.has(l.app));
      const out: AppLogRecord[] = [];
      for (let i = 0; i < kept.length; i += CHUNK) {
        const part = kept.slice(i, i + CHUNK);
        const params: Param[] = [];
        for (const l of part) params.push(l.app, l.date.getTime(), l.source, l.unit, l.message);
        const rows = await db.all(
          `INSERT INTO app_logs (app, date, source, unit, message) VALUES ${part
            .map(() => "(?, ?, ?, ?, ?)")
            .join(", ")} RETURNING id`,
          params,
        );
        // RETURNING yields the rows in VALUES order in both dialects; sorted to be sure.
        const ids = rows.map((r) => num(r.id)).sort((a, b) => a - b);
        part.forEach((l, j) => out.push({ ...l, id: ids[j]! }));
      }
      for (const app of new Set(kept.map((l) => l.app))) {
        await db.run(
          `DELETE FROM app_logs WHERE app = ? AND id <= (
             SELECT id FROM app_logs WHERE app = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
          [app, app, keepPerApp],
        );
      }
      return out;
    },
    async listAppLogs(app, q) {
      const w = new Where().add("app = ?", app);
      if (q.source) w.add("source = ?", q.source);
      if (q.unit) w.add("unit = ?", q.unit);
      if (q.afterId !== undefined) w.add("id > ?", q.afterId);
      const rows = await db.all(
        `SELECT * FROM (SELECT * FROM app_logs ${w.toString()} ORDER BY id DESC LIMIT ?) newest ORDER BY id`,
        [...w.params, Math.max(0, Math.floor(q.limit))],
      );
      return rows.map(logRow);
    },
    async listUnitLogMarks(units) {
      if (units.length === 0) return {};
      const rows = await db.all<{ unit: unknown; d: unknown }>(
        `SELECT unit, MAX(date) AS d FROM app_logs WHERE unit IN (${marks(units.length)}) GROUP BY unit`,
        units,
      );
      return Object.fromEntries(rows.map((r) => [str(r.unit), fromMs(r.d)]));
    },
  };
}
