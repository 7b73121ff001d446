// The autoscale loop's knobs from the environment (read here, as every setting is read in
// src/config). A bad value stops the server with a sentence naming the variable.
import { envMs, envOnOff } from "./env-values.js";

/** How the autoscale loop runs (src/autoscale/loop.ts). */
export interface AutoscaleSettings {
  enabled: boolean;
  /** Time between two decisions for every setting. */
  intervalMs: number;
  /** A scale-down takes the highest recommendation of this window (no flapping). */
  stabilizationMs: number;
}

export const DEFAULT_AUTOSCALE: AutoscaleSettings = {
  enabled: true,
  intervalMs: 10_000,
  stabilizationMs: 300_000,
};

/**
 * WHARF_AUTOSCALE=on|off, WHARF_AUTOSCALE_INTERVAL_MS (time between two decisions, default
 * 10000: one metric step), WHARF_AUTOSCALE_STABILIZATION_MS (how long a scale-down waits for
 * the highest recommendation of the window, default 300000).
 */
export function autoscaleSettings(env: NodeJS.ProcessEnv = process.env): AutoscaleSettings {
  return {
    enabled: envOnOff(env, "WHARF_AUTOSCALE"),
    intervalMs: envMs(env, "WHARF_AUTOSCALE_INTERVAL_MS", DEFAULT_AUTOSCALE.intervalMs, 500),
    stabilizationMs: envMs(env, "WHARF_AUTOSCALE_STABILIZATION_MS", DEFAULT_AUTOSCALE.stabilizationMs, 1000),
  };
}
