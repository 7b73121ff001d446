// The series of every app in memory: one SeriesRing per (app, series, process, unit), so the
// memory per series is fixed and the number of series is bounded by the apps and units that
// exist (a unit's rings are dropped once the unit is gone).
import { SeriesRing, type Point } from "./ring.js";
import type { SeriesName } from "./names.js";

export interface SeriesKey {
  name: SeriesName;
  process: string;
  unit: string;
}

export interface SeriesEntry extends SeriesKey {
  ring: SeriesRing;
}

export class SeriesStore {
  private readonly apps = new Map<string, Map<string, SeriesEntry>>();

  set(app: string, k: SeriesKey, ts: number, value: number): void {
    let series = this.apps.get(app);
    if (!series) this.apps.set(app, (series = new Map()));
    const id = `${k.name}\u0000${k.process}\u0000${k.unit}`;
    let e = series.get(id);
    if (!e) series.set(id, (e = { ...k, ring: new SeriesRing() }));
    e.ring.set(ts, value);
  }

  /** The app's series (optionally of one process), each with its points since `sinceS`. */
  read(app: string, sinceS: number, nowS: number, process?: string): Array<SeriesKey & { points: Point[] }> {
    const out: Array<SeriesKey & { points: Point[] }> = [];
    for (const e of this.apps.get(app)?.values() ?? []) {
      if (process !== undefined && e.process !== process) continue;
      const points = e.ring.points(sinceS, nowS);
      if (points.length) out.push({ name: e.name, process: e.process, unit: e.unit, points });
    }
    return out;
  }

  processes(app: string): Set<string> {
    return new Set([...(this.apps.get(app)?.values() ?? [])].map((e) => e.process));
  }

  *entries(): Generator<[string, SeriesEntry]> {
    for (const [app, series] of this.apps) for (const e of series.values()) yield [app, e];
  }

  /**
   * Drops the series of units not in `units` and of apps not in `apps`, and series with no
   * point left in the window. Returns how many went.
   */
  retain(apps: ReadonlySet<string>, units: ReadonlySet<string>, nowS: number): number {
    let n = 0;
    for (const [app, series] of this.apps) {
      if (!apps.has(app)) {
        n += series.size;
        this.apps.delete(app);
        continue;
      }
      for (const [id, e] of series)
        if ((e.unit && !units.has(e.unit)) || !e.ring.live(nowS)) {
          series.delete(id);
          n++;
        }
      if (series.size === 0) this.apps.delete(app);
    }
    return n;
  }

  get size(): number {
    let n = 0;
    for (const s of this.apps.values()) n += s.size;
    return n;
  }
}
