// The metric steps decideUnits reads, from an app's series (MetricsService.read): per step,
// the mean CPU over the process's units that reported in it, and the requests per second
// the routers counted for it (router series belong to the routed process only).
import type { AppMetrics } from "../metrics/names.js";
import type { MetricStep } from "./decide.js";

export function processSteps(m: AppMetrics, process: string): MetricStep[] {
  const steps = new Map<number, { cpu: number; n: number; requests?: number }>();
  const at = (ts: number) => {
    let s = steps.get(ts);
    if (!s) steps.set(ts, (s = { cpu: 0, n: 0 }));
    return s;
  };
  for (const s of m.series) {
    if (s.process !== process) continue;
    if (s.name === "cpu_percent" && s.unit)
      for (const [ts, v] of s.points) {
        const x = at(ts);
        x.cpu += v;
        x.n++;
      }
    else if (s.name === "requests" && !s.unit) for (const [ts, v] of s.points) at(ts).requests = v;
  }
  return [...steps]
    .sort(([a], [b]) => a - b)
    .map(([ts, x]) => ({
      ts,
      ...(x.n ? { cpuPercent: x.cpu / x.n } : {}),
      ...(x.requests !== undefined ? { requests: x.requests } : {}),
    }));
}
