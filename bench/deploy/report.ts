// Medians, the side-by-side table and the phase breakdown the deploy benchmark prints.
import type { Line } from "./setup.js";

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "n/a");

export interface Row {
  name: string;
  wharf: number[];
  reference: number[];
  /** undefined: shown for insight only, no verdict */
  goal?: number;
}

export function table(rows: readonly Row[]): string {
  const out = [
    "scenario".padEnd(52) +
      "wharf (median)".padStart(16) +
      "reference (median)".padStart(20) +
      "ratio".padStart(8) +
      "goal".padStart(8) +
      "  verdict",
  ];
  for (const r of rows) {
    const w = median(r.wharf);
    const ref = median(r.reference);
    const ratio = w / ref;
    out.push(
      r.name.padEnd(52) +
        sec(w).padStart(16) +
        sec(ref).padStart(20) +
        `${ratio.toFixed(2)}x`.padStart(8) +
        (r.goal === undefined ? "-" : `≤${r.goal.toFixed(1)}x`).padStart(8) +
        (r.goal === undefined ? "  (insight, no goal)" : `  ${ratio <= r.goal ? "met" : "NOT MET"}`),
    );
  }
  return out.join("\n");
}

export function runs(rows: readonly Row[]): string {
  return rows
    .map(
      (r) =>
        `${r.name}\n  wharf:     ${r.wharf.map(sec).join(", ")}\n  reference: ${r.reference.map(sec).join(", ")}`,
    )
    .join("\n");
}

/** A phase: its name and how to find the moment it starts in the CLI's output. */
export interface Phase {
  name: string;
  at: RegExp;
}

/**
 * Median of each mark over repetitions, as cumulative times and the step from the previous
 * mark; `extra` holds marks measured outside the CLI output (first 200, CLI exit).
 */
export function breakdown(
  title: string,
  phases: readonly Phase[],
  reps: ReadonlyArray<{ lines: readonly Line[]; extra: Record<string, number> }>,
): string {
  const names = [...phases.map((p) => p.name), ...Object.keys(reps[0]?.extra ?? {})];
  const at = (name: string) =>
    median(
      reps
        .map((r) => {
          const p = phases.find((x) => x.name === name);
          return p ? r.lines.find((l) => p.at.test(l.text))?.t : r.extra[name];
        })
        .filter((t): t is number => t !== undefined),
    );
  const marks = names.map((n) => ({ n, t: at(n) })).filter((m) => Number.isFinite(m.t));
  marks.sort((a, b) => a.t - b.t);
  const out = [`${title} (medians over ${reps.length} runs; time since the command started)`];
  let prev = 0;
  for (const m of marks) {
    out.push(`  ${m.n.padEnd(56)} ${sec(m.t).padStart(9)}   (+${sec(m.t - prev)})`);
    prev = m.t;
  }
  return out.join("\n");
}
