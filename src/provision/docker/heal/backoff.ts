// Crash-loop backoff per unit slot: the n-th replacement in a row waits base × 2^(n-1)
// (1 s, 2 s, 4 s, ... capped), so a unit that dies at start does not hammer its node and
// the event log. A replacement that stays up for `resetAfterMs` clears the slate. No clock
// of its own (times are passed in), so the rules are testable as vectors.

import { DEFAULT_BACKOFF, type BackoffPolicy } from "../../../config/healer.js";

export { DEFAULT_BACKOFF, type BackoffPolicy };

export interface UnitHealState {
  /** Replacements so far (since the last reset). */
  restarts: number;
  /** Earliest time the next replacement may run (ms since epoch). */
  notBefore: number;
  /** The wait before the next replacement. */
  delayMs: number;
  lastReason: string;
  lastExitCode: number | null;
  /** When the last replacement started running (ms), or null while it is down. */
  upSince: number | null;
}

export class CrashBackoff {
  private readonly slots = new Map<string, UnitHealState>();

  constructor(private readonly policy: BackoffPolicy = DEFAULT_BACKOFF) {
    if (!(policy.baseMs > 0) || !(policy.maxMs >= policy.baseMs) || !(policy.resetAfterMs >= 0))
      throw new Error(
        `backoff needs 0 < base (${policy.baseMs} ms) <= max (${policy.maxMs} ms) and reset >= 0`,
      );
  }

  get(unit: string): Readonly<UnitHealState> | undefined {
    return this.slots.get(unit);
  }

  /**
   * A unit was seen down at `now`. The first sighting of a down unit schedules its
   * replacement after the current delay; later sightings keep that schedule. `streak` is
   * how many replacements in a row the slot already had when nothing is known of it here
   * (a server restarted in the middle of a crash loop carries on where it was).
   */
  down(unit: string, now: number, reason: string, exitCode: number | null, streak = 0): UnitHealState {
    let s = this.slots.get(unit);
    if (!s) {
      const delayMs = this.delayAfter(streak);
      s = {
        restarts: streak,
        notBefore: now + delayMs,
        delayMs,
        lastReason: reason,
        lastExitCode: exitCode,
        upSince: null,
      };
      this.slots.set(unit, s);
    } else if (s.upSince !== null) {
      // It was up again and went down: the next replacement waits the current delay.
      s.upSince = null;
      s.notBefore = now + s.delayMs;
      s.lastReason = reason;
      s.lastExitCode = exitCode;
    }
    return s;
  }

  /** The wait before the replacement that follows `n` replacements in a row. */
  private delayAfter(n: number): number {
    const { baseMs, maxMs } = this.policy;
    return n >= 31 ? maxMs : Math.min(baseMs * 2 ** Math.max(0, Math.floor(n)), maxMs);
  }

  /** Whether the replacement of a down unit may run now. */
  due(unit: string, now: number): boolean {
    const s = this.slots.get(unit);
    return !s || now >= s.notBefore;
  }

  /**
   * A replacement attempt ended (ok or not): counts it, doubles the delay and, when it
   * failed, schedules the next attempt. The state moves to `to` (the replacement's id).
   */
  attempted(
    unit: string,
    to: string,
    now: number,
    ok: boolean,
    exit?: { reason: string; exitCode: number | null },
  ): UnitHealState {
    const s = this.slots.get(unit) ?? this.down(unit, now, exit?.reason ?? "", exit?.exitCode ?? null);
    s.restarts++;
    if (exit) {
      s.lastReason = exit.reason;
      s.lastExitCode = exit.exitCode;
    }
    s.upSince = ok ? now : null;
    s.delayMs = Math.min(s.delayMs * 2, this.policy.maxMs);
    s.notBefore = now + s.delayMs;
    if (to !== unit) {
      this.slots.delete(unit);
      this.slots.set(to, s);
    }
    return s;
  }

  /** The unit is running at `now`: after resetAfterMs of uptime its history is dropped. */
  running(unit: string, now: number): void {
    const s = this.slots.get(unit);
    if (!s) return;
    if (s.upSince === null) s.upSince = now;
    else if (now - s.upSince >= this.policy.resetAfterMs) this.slots.delete(unit);
  }

  clear(unit: string): void {
    this.slots.delete(unit);
  }

  /** Units no longer in the store. */
  forgetExcept(live: ReadonlySet<string>): void {
    for (const id of this.slots.keys()) if (!live.has(id)) this.slots.delete(id);
  }
}
