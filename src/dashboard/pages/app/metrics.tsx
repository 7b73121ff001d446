// The app's last hour as pictures: requests/s, error rate and latency from the routers, CPU
// and memory per unit from the node agents (GET /apps/{app}/metrics, 10 s steps), refreshed
// every step. An app with no points yet says so: the charts never draw numbers the API did
// not give.
import { api, query } from "../../api/client";
import type { Metrics, MetricSeries } from "../../api/types";
import { LazyChart } from "../../components/lazy-chart";
import type { Line } from "../../lib/series";
import { Empty, ErrorText, Loading } from "../../components/ui";
import { bytes } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import { errorRate } from "../../lib/series";

function pick(series: readonly MetricSeries[], name: string): MetricSeries[] {
  return series.filter((s) => s.name === name);
}

const num = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function MetricsPanel({ app, process }: { app: string; process?: string }) {
  const m = useResource<Metrics>(
    async (signal) => {
      const q = query({ since: "1h", process: process || undefined });
      return (await api<Metrics>("GET", `/apps/${encodeURIComponent(app)}/metrics${q}`, undefined, {
        signal,
      }))!;
    },
    [app, process],
    10_000,
    true,
  );
  if (m.loading && !m.data) return <Loading what="metrics" />;
  if (m.error && !m.data) return <ErrorText error={m.error} />;
  const series = m.data?.series ?? [];
  if (series.every((s) => s.points.length === 0))
    return (
      <Empty title="No metrics yet.">
        <p>
          Points appear here once the routers count this app's requests and the node agents sample its units.
        </p>
      </Empty>
    );
  const routed = (name: string) => pick(series, name).find((s) => s.unit === "");
  const requests = routed("requests");
  const perUnit = (name: string): Line[] =>
    pick(series, name)
      .filter((s) => s.unit)
      .map((s) => ({ label: s.unit, points: s.points }));
  const charts: Array<{ title: string; lines: Line[]; format: (v: number) => string }> = [
    {
      title: "Requests per second",
      lines: [{ label: "requests/s", points: requests?.points ?? [] }],
      format: num,
    },
    {
      title: "Error rate",
      lines: [{ label: "errors %", points: errorRate(requests, routed("errors")) }],
      format: (v) => `${num(v)}%`,
    },
    {
      title: "Latency",
      lines: [
        { label: "p50 ms", points: routed("latency_p50_ms")?.points ?? [] },
        { label: "p99 ms", points: routed("latency_p99_ms")?.points ?? [] },
      ],
      format: (v) => `${num(v)} ms`,
    },
    { title: "CPU per unit", lines: perUnit("cpu_percent"), format: (v) => `${num(v)}%` },
    { title: "Memory per unit", lines: perUnit("memory_bytes"), format: bytes },
  ];
  return (
    <div class="charts">
      {charts.map((c) =>
        c.lines.length && c.lines.some((l) => l.points.length) ? (
          <LazyChart key={c.title} title={c.title} lines={c.lines} format={c.format} />
        ) : (
          <figure class="chart chart-empty" key={c.title}>
            <figcaption>{c.title}</figcaption>
            <p class="muted">No points in the last hour.</p>
          </figure>
        ),
      )}
      {m.error ? <ErrorText error={m.error} /> : null}
    </div>
  );
}
