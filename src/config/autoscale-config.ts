// The autoscale loop's knobs from the environment (read here, as every setting is read in
// src/config). A bad value stops the server with a sentence naming the variable.

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

function ms(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(
      `${name}=${raw.slice(0, 40)} is not valid: give a whole number of milliseconds >= ${min}.`,
    );
  return n;
}

/**
 * WHARF_AUTOSCALE=on|off, WHARF_AUTOSCALE_INTERVAL_MS (time between two decisions, default
 * 10000: one metric step), WHARF_AUTOSCALE_STABILIZATION_MS (how long a scale-down waits for
 * the highest recommendation of the window, default 300000).
 */
export function autoscaleSettings(env: NodeJS.ProcessEnv = process.env): AutoscaleSettings {
  const flag = (env.WHARF_AUTOSCALE ?? "on").toLowerCase();
  if (!["on", "off", "true", "false", "1", "0"].includes(flag))
    throw new Error(`WHARF_AUTOSCALE=${flag.slice(0, 40)} is not valid: use on or off.`);
  return {
    enabled: ["on", "true", "1"].includes(flag),
    intervalMs: ms(env, "WHARF_AUTOSCALE_INTERVAL_MS", DEFAULT_AUTOSCALE.intervalMs, 500),
    stabilizationMs: ms(env, "WHARF_AUTOSCALE_STABILIZATION_MS", DEFAULT_AUTOSCALE.stabilizationMs, 1000),
  };
}
