// The series Wharf keeps per app, and the API's answer shape (GET /apps/{app}/metrics),
// shared by the server, the CLI and the dashboard.
import type { Point } from "./ring.js";

/** Counted by the routers, per app and routed process (unit ""). */
export const ROUTER_SERIES = ["requests", "errors", "latency_p50_ms", "latency_p99_ms"] as const;
/** Sampled by the node agents, per unit. */
export const UNIT_SERIES = [
  "cpu_percent",
  "memory_bytes",
  "net_rx_bytes",
  "net_tx_bytes",
  "restarts",
] as const;

export type RouterSeriesName = (typeof ROUTER_SERIES)[number];
export type UnitSeriesName = (typeof UNIT_SERIES)[number];
export type SeriesName = RouterSeriesName | UnitSeriesName;

export const SERIES_NAMES: readonly SeriesName[] = [...ROUTER_SERIES, ...UNIT_SERIES];

export function isSeriesName(s: string): s is SeriesName {
  return (SERIES_NAMES as readonly string[]).includes(s);
}

/** What each series means, for the OpenAPI document and `wharf app metrics`. */
export const SERIES_HELP: Record<SeriesName, string> = {
  requests: "requests answered per second (mean over the step)",
  errors: "5xx answers and proxy errors per second (mean over the step)",
  latency_p50_ms: "median time from request to response end, ms",
  latency_p99_ms: "99th percentile of that time, ms",
  cpu_percent: "CPU used, percent of one core (mean over the step)",
  memory_bytes: "memory used (without the page cache), bytes",
  net_rx_bytes: "bytes received per second (mean over the step)",
  net_tx_bytes: "bytes sent per second (mean over the step)",
  restarts: "times the unit's slot was restarted or replaced so far",
};

/**
 * The process whose units the routers send traffic to: a rollout makes only "web" units
 * routable (src/deploy/rollout.ts), so router series belong to it.
 */
export const ROUTED_PROCESS = "web";

export interface MetricSeries {
  name: SeriesName;
  process: string;
  /** The unit id; "" for router series. */
  unit: string;
  points: Point[];
}

export interface AppMetrics {
  step: number;
  series: MetricSeries[];
}
