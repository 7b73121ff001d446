// How the autoscale loop runs (src/config/autoscale-config.ts reads them from the environment).
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
