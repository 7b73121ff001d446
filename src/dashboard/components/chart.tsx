// A small time-series chart (uPlot on a canvas) of the last hour, with a text summary for
// screen readers and a legend; lines are series (p50/p99, or one per unit).
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { align, summary, type Line } from "../lib/series";

export type { Line };

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

export function TimeChart({
  title,
  lines,
  format,
  height = 140,
}: {
  title: string;
  lines: Line[];
  format: (v: number) => string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = lines.map((l) => l.label).join("\u0000");

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // The last hour up to the newest point: one point alone (a unit just sampled) otherwise
      // makes uPlot span years around it.
      scales: { x: { time: true, range: (_u, min, max) => [Math.min(min, max - 3600), max] } },
      axes: [
        { stroke: "currentColor", grid: { stroke: "rgba(128,128,128,0.2)" } },
        {
          stroke: "currentColor",
          grid: { stroke: "rgba(128,128,128,0.2)" },
          size: 60,
          values: (_u, vals) => vals.map((v) => format(v)),
        },
      ],
      series: [
        {},
        ...lines.map((l, i) => ({
          label: l.label,
          stroke: COLORS[i % COLORS.length]!,
          width: 1.5,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? "—" : format(v)),
        })),
      ],
    };
    const u = new uPlot(opts, align(lines) as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // The chart is rebuilt when its lines change; new points only update its data.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(align(lines) as uPlot.AlignedData);
  }, [lines]);

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={summary(title, lines, format)} />
    </figure>
  );
}
