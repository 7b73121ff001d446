// The app and unit series on the server's /metrics, in Prometheus format: the newest value of
// each series (at most 30 s old) as a gauge per app and process (router series) or per app,
// process and unit (agent series). Gauges are rebuilt at every scrape from the series in
// memory, so a unit that went away leaves the registry with its series; labels are only
// app, process and unit (never paths, hosts or statuses), and past MAX_EXPORTED series the
// rest are left out and counted, so a scrape stays bounded whatever the cluster holds.
import { Gauge, type Registry } from "prom-client";
import type { SeriesName } from "./names.js";
import type { MetricsService } from "./service.js";
import { STEP_S } from "../util/steps.js";

export const MAX_EXPORTED = 20_000;
const FRESH_S = 3 * STEP_S;

const EXPORTS: Record<SeriesName, { metric: string; help: string; scale?: number }> = {
  requests: { metric: "wharf_app_requests_per_second", help: "Requests answered by the routers per second." },
  errors: { metric: "wharf_app_errors_per_second", help: "5xx answers and proxy errors per second." },
  latency_p50_ms: { metric: "wharf_app_latency_p50_seconds", help: "Median request latency.", scale: 1e-3 },
  latency_p99_ms: { metric: "wharf_app_latency_p99_seconds", help: "99th percentile latency.", scale: 1e-3 },
  cpu_percent: { metric: "wharf_unit_cpu_percent", help: "CPU used by the unit, percent of one core." },
  memory_bytes: { metric: "wharf_unit_memory_bytes", help: "Memory used by the unit without page cache." },
  net_rx_bytes: { metric: "wharf_unit_network_receive_bytes_per_second", help: "Bytes received per second." },
  net_tx_bytes: { metric: "wharf_unit_network_transmit_bytes_per_second", help: "Bytes sent per second." },
  restarts: { metric: "wharf_unit_restarts", help: "Restarts or replacements of the unit's slot so far." },
};

export function registerMetricsExport(registry: Registry, service: MetricsService): void {
  const gauges = new Map<SeriesName, Gauge<string>>();
  // prom-client collects the metrics of a scrape in registration order: the first gauge's
  // collect fills them all at once (one pass over the series per scrape).
  const fill = () => {
    const nowS = service.nowS();
    for (const g of gauges.values()) g.reset();
    let n = 0;
    let skipped = 0;
    for (const [app, e] of service.series.entries()) {
      const v = e.ring.latest(nowS, FRESH_S);
      if (v === undefined) continue;
      if (n >= MAX_EXPORTED) {
        skipped++;
        continue;
      }
      n++;
      const x = EXPORTS[e.name];
      const labels = e.unit ? { app, process: e.process, unit: e.unit } : { app, process: e.process };
      gauges.get(e.name)!.set(labels, v * (x.scale ?? 1));
    }
    left.set(skipped);
  };
  let first = true;
  for (const [name, x] of Object.entries(EXPORTS) as Array<[SeriesName, (typeof EXPORTS)[SeriesName]]>) {
    const perUnit = !name.startsWith("latency") && !["requests", "errors"].includes(name);
    gauges.set(
      name,
      new Gauge({
        name: x.metric,
        help: x.help,
        labelNames: perUnit ? ["app", "process", "unit"] : ["app", "process"],
        registers: [registry],
        ...(first ? { collect: fill } : {}),
      }),
    );
    first = false;
  }
  // Registered last, so the fill above has counted by the time it is written out.
  const left = new Gauge({
    name: "wharf_app_metrics_series_left_out",
    help: `Series not exported because more than ${MAX_EXPORTED} exist.`,
    registers: [registry],
  });
}
