// The autoscaler's decision for one process, pure (no I/O, no clock): from the recent metric
// steps, the setting and the current units, how many units the process should run.
//
// - Each target gives a recommendation. CPU: ceil(units × mean CPU per unit / target), as
//   Kubernetes' HPA does, left alone within a 10% tolerance of the target; requests per unit:
//   ceil(requests per second / target). The larger one wins; both are clamped to [min, max].
// - Metrics are the mean over the last few steps that have data; a target whose metric has
//   no data recommends nothing, and with no data at all the units stay as they are.
// - Against flapping: a scale-down takes the highest recommendation of the stabilisation
//   window (default 5 min), so one quiet step does not remove units a busy minute needed;
//   a scale-up is taken at once but at most doubles the units (or adds 4) per decision.
// - A scale-up is bounded by capacity: the units the app's quota and the pool can still take.
//   The caller reports `limitedBy` once, as the healer reports missing capacity.
// - A stopped or deploying process is never scaled (the caller says so with `hold`).
//
// The loop on the reconciler leader calls decideUnits every step for every setting, keeps the
// returned `history` for the next call, and applies `units` through the provisioner's
// set-units path when it differs from `current`, recording an event with `reason`.

export interface AutoscaleTarget {
  minUnits: number;
  maxUnits: number;
  /** Mean CPU per unit, percent of one core; null = not a target. */
  cpuPercent: number | null;
  /** Requests per second per unit; null = not a target. */
  requestsPerUnit: number | null;
}

/** One step of the process's metrics (values absent where nothing was measured). */
export interface MetricStep {
  ts: number;
  /** Mean over the process's units of their CPU percent. */
  cpuPercent?: number;
  /** Requests per second to the process (all its units). */
  requests?: number;
}

export interface Recommendation {
  ts: number;
  units: number;
}

export interface DecideInput {
  setting: AutoscaleTarget;
  /** Units the process runs now. */
  current: number;
  /** The process's recent steps, any order. */
  steps: readonly MetricStep[];
  /** What earlier decisions recommended (the previous call's `history`). */
  history: readonly Recommendation[];
  nowS: number;
  /** More units the app's quota allows (null = unlimited). */
  quotaFree: number | null;
  /** More units the pool's nodes can place (null = unknown: not a limit). */
  poolFree: number | null;
  /** Why the process must not be scaled now ("stopped", "deploying"), if so. */
  hold?: string;
  options?: Partial<DecideOptions>;
}

export interface DecideOptions {
  /** Steps averaged for each metric. */
  sampleSteps: number;
  /** Steps older than this are not used (seconds). */
  maxAgeS: number;
  tolerance: number;
  downWindowS: number;
  /** A scale-up adds at most max(current × upFactor − current, upUnits). */
  upFactor: number;
  upUnits: number;
}

export const DEFAULT_DECIDE: DecideOptions = {
  sampleSteps: 3,
  maxAgeS: 60,
  tolerance: 0.1,
  downWindowS: 300,
  upFactor: 2,
  upUnits: 4,
};

export interface Decision {
  units: number;
  /** The metric that set the recommendation, with its value and target. */
  metric: { name: "cpu_percent" | "requests_per_unit"; value: number; target: number } | null;
  /** A sentence for the event ("cpu 85% per unit over a 60% target: 2 → 3 units"). */
  reason: string;
  /** What held the scale-up below the recommendation. */
  limitedBy: "quota" | "pool" | null;
  /** Units the metrics asked for, before stabilisation and capacity. */
  recommended: number;
  /** Keep for the next call. */
  history: Recommendation[];
}

function mean(
  steps: readonly MetricStep[],
  key: "cpuPercent" | "requests",
  o: DecideOptions,
  nowS: number,
): number | undefined {
  const vals = steps
    .filter((s) => s[key] !== undefined && Number.isFinite(s[key]) && nowS - s.ts <= o.maxAgeS)
    .sort((a, b) => b.ts - a.ts)
    .slice(0, o.sampleSteps)
    .map((s) => s[key]!);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : undefined;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const fmt = (n: number) => String(Math.round(n * 10) / 10);

export function decideUnits(i: DecideInput): Decision {
  const o = { ...DEFAULT_DECIDE, ...i.options };
  const { setting: s, current, nowS } = i;
  const history = i.history.filter((r) => nowS - r.ts < o.downWindowS);
  const keep = (units: number, reason: string, extra: Partial<Decision> = {}): Decision => ({
    units,
    metric: null,
    reason,
    limitedBy: null,
    recommended: units,
    history,
    ...extra,
  });
  if (i.hold) return keep(current, `not scaled: the process is ${i.hold}`);
  const bounded = clamp(current, s.minUnits, s.maxUnits);
  let best: Decision["metric"] = null as Decision["metric"];
  let recommended = -1;
  const cpu = s.cpuPercent !== null ? mean(i.steps, "cpuPercent", o, nowS) : undefined;
  if (cpu !== undefined && s.cpuPercent !== null) {
    const ratio = cpu / s.cpuPercent;
    const units =
      current > 0 && Math.abs(ratio - 1) <= o.tolerance ? current : Math.ceil(Math.max(current, 1) * ratio);
    if (units > recommended) {
      recommended = units;
      best = { name: "cpu_percent", value: cpu, target: s.cpuPercent };
    }
  }
  const req = s.requestsPerUnit !== null ? mean(i.steps, "requests", o, nowS) : undefined;
  if (req !== undefined && s.requestsPerUnit !== null) {
    const perUnit = req / Math.max(current, 1);
    const ratio = perUnit / s.requestsPerUnit;
    const units =
      current > 0 && Math.abs(ratio - 1) <= o.tolerance ? current : Math.ceil(req / s.requestsPerUnit);
    if (units > recommended) {
      recommended = units;
      best = { name: "requests_per_unit", value: perUnit, target: s.requestsPerUnit };
    }
  }
  const fromMetrics = best !== null;
  recommended = fromMetrics ? clamp(recommended, s.minUnits, s.maxUnits) : bounded;
  const nextHistory = fromMetrics ? [...history, { ts: nowS, units: recommended }] : history;

  let units = recommended;
  if (units < current) {
    // Scale down only to the highest recommendation of the window.
    units = Math.min(Math.max(units, ...history.map((r) => r.units)), current);
  }
  let limitedBy: Decision["limitedBy"] = null;
  if (units > current) {
    const step = Math.max(Math.ceil(current * o.upFactor) - current, o.upUnits);
    units = Math.min(units, current + step);
    const quota = i.quotaFree === null ? Infinity : Math.max(0, i.quotaFree);
    const pool = i.poolFree === null ? Infinity : Math.max(0, i.poolFree);
    if (current + Math.min(quota, pool) < units) {
      limitedBy = quota <= pool ? "quota" : "pool";
      units = current + Math.min(quota, pool);
    }
  }
  units = Math.min(units, s.maxUnits);
  const change = units === current ? `${current} units kept` : `${current} → ${units} units`;
  const capped = limitedBy
    ? ` (${recommended} wanted; the ${limitedBy === "quota" ? "app's quota" : "pool"} has room for ${units})`
    : "";
  if (!best) {
    const why = bounded === current ? "no metrics yet" : `kept within ${s.minUnits}..${s.maxUnits} units`;
    return { units, metric: null, reason: `${why}: ${change}${capped}`, limitedBy, recommended, history };
  }
  const what =
    best.name === "cpu_percent"
      ? `cpu ${fmt(best.value)}% per unit`
      : `${fmt(best.value)} requests/s per unit`;
  const target = best.name === "cpu_percent" ? `${fmt(best.target)}%` : `${fmt(best.target)}/s`;
  return {
    units,
    metric: best,
    reason: `${what} against a ${target} target: ${change}${capped}`,
    limitedBy,
    recommended,
    history: nextHistory,
  };
}
