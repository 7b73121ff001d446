// Time series as the metrics API gives them ([unixSeconds, value] points), shaped for
// charts: lines on one time axis, a sentence for screen readers, the error rate.

export interface Line {
  label: string;
  points: ReadonlyArray<readonly [number, number]>;
}

/** Lines on one time axis: the union of their timestamps, null where a line has no point. */
export function align(lines: readonly Line[]): [number[], ...Array<Array<number | null>>] {
  const xs = [...new Set(lines.flatMap((l) => l.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = lines.map((l) => {
    const col: Array<number | null> = new Array(xs.length).fill(null);
    for (const [t, v] of l.points) col[index.get(t)!] = v;
    return col;
  });
  return [xs, ...ys];
}

export function summary(title: string, lines: readonly Line[], fmt: (v: number) => string): string {
  const parts = lines.map((l) => {
    const vs = l.points.map((p) => p[1]);
    if (vs.length === 0) return `${l.label}: no points`;
    return `${l.label}: now ${fmt(vs.at(-1)!)}, max ${fmt(Math.max(...vs))}`;
  });
  return `${title}, last hour. ${parts.join("; ")}.`;
}

/** errors/requests per step, as a percentage (steps without requests have no rate). */
export function errorRate(
  requests: { points: ReadonlyArray<readonly [number, number]> } | undefined,
  errors: { points: ReadonlyArray<readonly [number, number]> } | undefined,
): Array<[number, number]> {
  if (!requests) return [];
  const errs = new Map((errors?.points ?? []).map(([t, v]) => [t, v]));
  return requests.points.filter(([, v]) => v > 0).map(([t, v]) => [t, ((errs.get(t) ?? 0) / v) * 100]);
}
