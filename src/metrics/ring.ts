// One series' last hour in a fixed ring: a slot per 10 s step, indexed by step number, so a
// write is two array stores and the memory per series is fixed (360 slots) however long the
// series lives. A slot remembers which step it holds; a stale slot (an hour or more old) is
// read as empty, so a gap in the samples stays a gap and is never filled with old values.
import { STEP_S, WINDOW_STEPS, stepOf, windowStart } from "../util/steps.js";

export type Point = [unixSeconds: number, value: number];

export class SeriesRing {
  /** Step start held by each slot (unix seconds); 0 = never written. */
  private readonly at = new Uint32Array(WINDOW_STEPS);
  private readonly values = new Float64Array(WINDOW_STEPS);
  /** Newest step written, for exports that show the latest value. */
  newest = 0;

  private slot(stepStart: number): number {
    return (stepStart / STEP_S) % WINDOW_STEPS;
  }

  /** Sets the value of the step holding `unixS` (a later write to the same step replaces it). */
  set(unixS: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const s = stepOf(unixS);
    if (s <= 0) return;
    const i = this.slot(s);
    this.at[i] = s;
    this.values[i] = value;
    if (s > this.newest) this.newest = s;
  }

  /** The value of the step holding `unixS`, or undefined. */
  get(unixS: number): number | undefined {
    const s = stepOf(unixS);
    const i = this.slot(s);
    return this.at[i] === s ? this.values[i] : undefined;
  }

  /** Points whose step starts at or after `sinceS` (clipped to the window ending at `nowS`), oldest first. */
  points(sinceS: number, nowS: number): Point[] {
    const from = Math.max(Math.ceil(sinceS / STEP_S) * STEP_S, windowStart(nowS), STEP_S);
    const to = stepOf(nowS);
    const out: Point[] = [];
    for (let s = from; s <= to; s += STEP_S) {
      const i = this.slot(s);
      if (this.at[i] === s) out.push([s, this.values[i]!]);
    }
    return out;
  }

  /** The newest value if it is at most `maxAgeS` old at `nowS`. */
  latest(nowS: number, maxAgeS: number): number | undefined {
    if (this.newest === 0 || nowS - this.newest > maxAgeS) return undefined;
    return this.get(this.newest);
  }

  /** Whether any slot holds a step inside the window ending at `nowS`. */
  live(nowS: number): boolean {
    return this.newest >= windowStart(nowS);
  }
}
