// Sparklines for `wharf app metrics`: a series' points on the 10 s grid squeezed into a fixed
// number of columns (each column the mean of its steps), drawn with the eight block heights
// between the series' own minimum and maximum; a column without data is a space.

const BARS = "▁▂▃▄▅▆▇█";

/**
 * `points` ([unixSeconds, value], any order) between `from` and `to` (step starts, inclusive)
 * as `width` columns.
 */
export function sparkline(
  points: ReadonlyArray<readonly [number, number]>,
  from: number,
  to: number,
  width: number,
  step = 10,
): string {
  const steps = Math.max(1, Math.floor((to - from) / step) + 1);
  const cols = Math.max(1, Math.min(width, steps));
  const sum = new Float64Array(cols);
  const n = new Uint32Array(cols);
  for (const [t, v] of points) {
    if (t < from || t > to || !Number.isFinite(v)) continue;
    const c = Math.min(cols - 1, Math.floor((((t - from) / step) * cols) / steps));
    sum[c]! += v;
    n[c]!++;
  }
  const means = Array.from(sum, (s, i) => (n[i] ? s / n[i]! : undefined));
  const vals = means.filter((v): v is number => v !== undefined);
  if (vals.length === 0) return " ".repeat(cols);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  return means
    .map((v) => {
      if (v === undefined) return " ";
      if (hi === lo) return v === 0 ? BARS[0] : BARS[3];
      return BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))];
    })
    .join("");
}

/** A compact figure: 3 significant digits, k/M/G for large ones, bytes as KiB/MiB/GiB. */
export function compact(v: number | undefined, unit = ""): string {
  if (v === undefined) return "-";
  if (unit === "B") {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let x = v;
    let i = 0;
    while (Math.abs(x) >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${i === 0 ? Math.round(x) : x.toPrecision(3)} ${units[i]}`;
  }
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${(v / 1e9).toPrecision(3)}G${unit}`;
  if (abs >= 1e6) return `${(v / 1e6).toPrecision(3)}M${unit}`;
  if (abs >= 1e4) return `${(v / 1e3).toPrecision(3)}k${unit}`;
  if (abs >= 100 || v === Math.round(v)) return `${Math.round(v)}${unit}`;
  return `${Number(v.toPrecision(3))}${unit}`;
}
