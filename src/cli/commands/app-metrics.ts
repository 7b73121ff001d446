// `wharf app metrics [-a APP] [-p PROCESS] [--since 15m] [--json]`: the app's series of the
// last hour (GET /apps/{app}/metrics) as a compact table, one row per series with its latest,
// mean and peak values and a sparkline of the period.
import type { Command } from "commander";
import { query } from "../client/http.js";
import { apiFor } from "../context.js";
import { appOption, jsonOption, resolveApp } from "../options.js";
import { emit, table } from "../output.js";
import { compact, sparkline } from "../sparkline.js";

interface Series {
  name: string;
  process: string;
  unit: string;
  points: Array<[number, number]>;
}

interface Answer {
  step: number;
  series: Series[];
}

const UNITS: Record<string, string> = {
  requests: "/s",
  errors: "/s",
  latency_p50_ms: "ms",
  latency_p99_ms: "ms",
  cpu_percent: "%",
  memory_bytes: "B",
  net_rx_bytes: "B/s",
  net_tx_bytes: "B/s",
  restarts: "",
};

const SPARK_WIDTH = 30;

function figure(v: number | undefined, name: string): string {
  const u = UNITS[name] ?? "";
  if (u === "B/s") return v === undefined ? "-" : `${compact(v, "B")}/s`;
  return compact(v, u);
}

/** The table `wharf app metrics` prints for an answer, at `nowS`. */
export function renderMetrics(a: Answer, nowS: number): string {
  if (a.series.length === 0)
    return "No metrics yet: router series appear once the app gets requests, unit series a step after a unit starts (sampled by its node agent, or by the server where no agent reports).\n";
  const step = a.step || 10;
  const to = Math.floor(nowS / step) * step;
  const from = Math.min(to, ...a.series.flatMap((s) => s.points.map((p) => p[0])));
  const rows = a.series.map((s) => {
    const vals = s.points.map((p) => p[1]);
    const mean = vals.length ? vals.reduce((x, y) => x + y, 0) / vals.length : undefined;
    return [
      s.name,
      s.process,
      s.unit || "(router)",
      figure(vals.at(-1), s.name),
      figure(mean, s.name),
      figure(vals.length ? Math.max(...vals) : undefined, s.name),
      sparkline(s.points, from, to, SPARK_WIDTH, step),
    ];
  });
  const mins = Math.max(1, Math.round((to - from + step) / 60));
  return table(["Series", "Process", "Unit", "Last", "Mean", "Max", `Last ${mins} min`], rows);
}

export function registerAppMetrics(program: Command): void {
  const app = program.commands.find((c) => c.name() === "app");
  if (!app) throw new Error("register the app topic before its metrics");
  jsonOption(
    appOption(
      app
        .command("metrics")
        .description("show the app's requests, errors, latency and its units' CPU, memory and network")
        .option("-p, --process <name>", "only this process")
        .option(
          "--since <when>",
          "from when: a duration back (15m, 1h), unix seconds or an RFC 3339 time",
          "1h",
        ),
    ),
  ).action(async (opts: { app?: string; process?: string; since: string; json?: boolean }, cmd: Command) => {
    const name = resolveApp(opts.app);
    const q = query({ process: opts.process ?? "", since: opts.since });
    const body = (await apiFor(cmd).getJson<Answer>("GET", `/apps/${name}/metrics${q}`)) ?? {
      step: 10,
      series: [],
    };
    emit(opts, body, () => renderMetrics(body, Date.now() / 1000));
  });
}
