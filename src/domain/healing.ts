// Node healer settings per pool, without I/O: tsuru's node-healing-info shape and the settings a
// pool actually gets (its own values over the defaults of pool "", over the server's own). The
// healer reads them through effectiveHealing (wired in with the provisioner redesign).
import type { PoolHealingRecord } from "../store/types.js";

export interface HealingConfig {
  enabled: boolean;
  /** A node silent this long is unhealthy. */
  maxUnresponsiveSeconds: number;
  /** A node whose last successful check is older than this is unhealthy. */
  maxSinceSuccessSeconds: number;
}

/** tsuru's healer.NodeHealerConfig as node-healing-info prints it (numbers in seconds). */
export interface HealingView {
  Enabled: boolean | null;
  MaxTimeSinceSuccess: number | null;
  MaxUnresponsiveTime: number | null;
  EnabledInherited: boolean;
  MaxTimeSinceSuccessInherited: boolean;
  MaxUnresponsiveTimeInherited: boolean;
}

export interface ResolvedHealing extends HealingConfig {
  inherited: { enabled: boolean; maxUnresponsiveSeconds: boolean; maxSinceSuccessSeconds: boolean };
}

/**
 * The settings pool `pool` runs with: each field from the pool's record, else from the "" record,
 * else from the server's defaults. For pool "" itself only the second and third apply.
 */
export function effectiveHealing(
  pool: string,
  records: readonly PoolHealingRecord[],
  defaults: HealingConfig,
): ResolvedHealing {
  const own = records.find((r) => r.pool === pool);
  const base = pool === "" ? undefined : records.find((r) => r.pool === "");
  const pick = <K extends "enabled" | "maxUnresponsiveSeconds" | "maxSinceSuccessSeconds">(k: K) => {
    const v = own?.[k];
    if (v !== null && v !== undefined) return { value: v as HealingConfig[K], inherited: false };
    const b = base?.[k];
    if (b !== null && b !== undefined) return { value: b as HealingConfig[K], inherited: true };
    return { value: defaults[k], inherited: pool !== "" };
  };
  const enabled = pick("enabled");
  const unresp = pick("maxUnresponsiveSeconds");
  const since = pick("maxSinceSuccessSeconds");
  return {
    enabled: enabled.value,
    maxUnresponsiveSeconds: unresp.value,
    maxSinceSuccessSeconds: since.value,
    inherited: {
      enabled: enabled.inherited,
      maxUnresponsiveSeconds: unresp.inherited,
      maxSinceSuccessSeconds: since.inherited,
    },
  };
}

export function healingView(r: ResolvedHealing): HealingView {
  return {
    Enabled: r.enabled,
    MaxTimeSinceSuccess: r.maxSinceSuccessSeconds,
    MaxUnresponsiveTime: r.maxUnresponsiveSeconds,
    EnabledInherited: r.inherited.enabled,
    MaxTimeSinceSuccessInherited: r.inherited.maxSinceSuccessSeconds,
    MaxUnresponsiveTimeInherited: r.inherited.maxUnresponsiveSeconds,
  };
}
