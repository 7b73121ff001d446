// The chart component loads with uPlot on first use, in a chunk of its own: pages without
// charts (and the first render) do not download or parse the chart library.
import { useEffect, useState } from "preact/hooks";
import type { Line } from "../lib/series";

type ChartModule = typeof import("./chart");
let chunk: Promise<ChartModule> | null = null;

export interface ChartProps {
  title: string;
  lines: Line[];
  format: (v: number) => string;
}

export function LazyChart(p: ChartProps) {
  const [mod, setMod] = useState<ChartModule | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    chunk ??= import("./chart");
    chunk.then(
      (m) => live && setMod(m),
      () => {
        chunk = null; // a later render may try again
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, []);
  if (mod) return <mod.TimeChart {...p} />;
  return (
    <figure class="chart chart-empty">
      <figcaption>{p.title}</figcaption>
      <p class="muted" role={failed ? "alert" : "status"}>
        {failed ? "The chart could not load: reload the page." : "Loading the chart…"}
      </p>
    </figure>
  );
}
