// Engine spec labels the way Swarm's updateSpecs builds them, so the node registry can
// turn a daemon's /info into constraint labels: standard labels first (only when
// non-empty), then daemon --label k=v entries, where `node` is reserved and standard
// labels cannot be overridden (both ignored with a warning).
import { err, ok, type Result } from "./types.js";

export interface EngineInfo {
  /** /info Driver */
  storageDriver?: string;
  kernelVersion?: string;
  operatingSystem?: string;
  osType?: string;
  /** /info Labels: "k=v" strings. */
  labels?: readonly string[];
}

export interface EngineLabels {
  labels: Record<string, string>;
  warnings: string[];
}

export function engineLabels(info: EngineInfo): Result<EngineLabels, string> {
  const labels: Record<string, string> = {};
  const warnings: string[] = [];
  const standard: [string, string | undefined][] = [
    ["storagedriver", info.storageDriver],
    ["kernelversion", info.kernelVersion],
    ["operatingsystem", info.operatingSystem],
    ["ostype", info.osType],
  ];
  for (const [k, v] of standard) if (v) labels[k] = v;
  const std = new Set(Object.keys(labels));
  for (const entry of info.labels ?? []) {
    const at = entry.indexOf("=");
    if (at < 0) return err(`engine label "${entry}" is not in k=v form`);
    const k = entry.slice(0, at);
    const v = entry.slice(at + 1);
    if (k === "node") {
      warnings.push(`engine label "node" is reserved for constraints and was ignored`);
      continue;
    }
    if (std.has(k)) {
      warnings.push(`engine label "${k}" cannot override a standard label and was ignored`);
      continue;
    }
    labels[k] = v;
  }
  return ok({ labels, warnings });
}

/**
 * Swarm's HealthIndicator: 100 − failures × 100 / FailureRetry while healthy and below
 * the retry limit, else 0 (integer division).
 */
export function healthIndicator(healthy: boolean, failureCount: number, failureRetry = 3): number {
  if (!healthy || failureCount >= failureRetry) return 0;
  return 100 - Math.trunc((failureCount * 100) / failureRetry);
}
