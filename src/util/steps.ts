// The time grid every metric series lives on: 10 s steps, the last hour kept. A point's time
// is the start of its step in unix seconds, so samples from agents, routers and servers whose
// clocks tick at different moments land in the same slot.

/** Seconds per step. */
export const STEP_S = 10;
/** Steps kept per series: one hour. */
export const WINDOW_STEPS = 360;
/** Seconds of history kept. */
export const WINDOW_S = STEP_S * WINDOW_STEPS;

/** The start of the step holding `unixS`. */
export function stepOf(unixS: number): number {
  return Math.floor(unixS / STEP_S) * STEP_S;
}

/** The oldest step start still inside the window that ends at `nowS`. */
export function windowStart(nowS: number): number {
  return stepOf(nowS) - WINDOW_S + STEP_S;
}

/** Milliseconds from `nowMs` to the next step boundary. */
export function msToNextStep(nowMs: number): number {
  const step = STEP_S * 1000;
  return step - (nowMs % step);
}
