// Turns the routers' rows (per router, app and step: requests, errors, latency histogram)
// into an app's router series: the rows of one step are added up across routers (counts
// summed, histograms added bucket by bucket) before rates and percentiles are taken, so
// p99 over two routers is the p99 of all their requests, not a mean of two p99s.
import { LATENCY_BUCKETS, addSparse, quantileMs } from "../util/latency.js";
import type { RouterSeriesName } from "./names.js";
import { STEP_S } from "../util/steps.js";

export interface RouterRow {
  app: string;
  ts: number;
  requests: number;
  errors: number;
  latency: Array<[number, number]>;
}

export interface RouterStep {
  app: string;
  ts: number;
  values: Partial<Record<RouterSeriesName, number>>;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

export function mergeRouterRows(rows: readonly RouterRow[]): RouterStep[] {
  const groups = new Map<
    string,
    { app: string; ts: number; requests: number; errors: number; hist: Float64Array }
  >();
  for (const r of rows) {
    const key = `${r.ts}\u0000${r.app}`;
    let g = groups.get(key);
    if (!g)
      groups.set(
        key,
        (g = { app: r.app, ts: r.ts, requests: 0, errors: 0, hist: new Float64Array(LATENCY_BUCKETS) }),
      );
    g.requests += r.requests;
    g.errors += r.errors;
    addSparse(g.hist, r.latency);
  }
  const out: RouterStep[] = [];
  for (const g of groups.values()) {
    const values: RouterStep["values"] = {
      requests: round(g.requests / STEP_S),
      errors: round(g.errors / STEP_S),
    };
    const p50 = quantileMs(g.hist, 0.5);
    const p99 = quantileMs(g.hist, 0.99);
    if (p50 !== undefined) values.latency_p50_ms = round(p50);
    if (p99 !== undefined) values.latency_p99_ms = round(p99);
    out.push({ app: g.app, ts: g.ts, values });
  }
  return out.sort((a, b) => a.ts - b.ts || a.app.localeCompare(b.app));
}
