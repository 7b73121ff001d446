// The healer's knobs, from the environment (validated: a bad value stops the server with
// a sentence naming the variable, rather than healing on a nonsense schedule).
import { envMs, envOnOff } from "./env-values.js";

/** Crash-loop backoff of unit replacements (src/provision/docker/heal/backoff.ts applies it). */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** A unit running this long after a replacement counts as recovered. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000, resetAfterMs: 60_000 };

export interface HealerSettings {
  enabled: boolean;
  /** Time between two checks of every started unit's container. */
  intervalMs: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_HEALER: HealerSettings = { enabled: true, intervalMs: 3000, backoff: DEFAULT_BACKOFF };

export function healerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HealerSettings {
  const backoff: BackoffPolicy = {
    baseMs: envMs(env, "WHARF_HEAL_BACKOFF_BASE_MS", DEFAULT_BACKOFF.baseMs, 1),
    maxMs: envMs(env, "WHARF_HEAL_BACKOFF_MAX_MS", DEFAULT_BACKOFF.maxMs, 1),
    resetAfterMs: envMs(env, "WHARF_HEAL_BACKOFF_RESET_MS", DEFAULT_BACKOFF.resetAfterMs, 0),
  };
  if (backoff.maxMs < backoff.baseMs)
    throw new Error(
      `WHARF_HEAL_BACKOFF_MAX_MS (${backoff.maxMs}) is below WHARF_HEAL_BACKOFF_BASE_MS (${backoff.baseMs}): raise the maximum.`,
    );
  return {
    enabled: envOnOff(env, "WHARF_HEALER"),
    intervalMs: envMs(env, "WHARF_HEAL_INTERVAL_MS", DEFAULT_HEALER.intervalMs, 100),
    backoff,
  };
}
