// Picks a backend: least outstanding requests, ties broken round-robin so equal backends share load
// evenly. Passive health lives here too: consecutive connection failures eject a backend for a
// cool-down; after it, the backend is tried again and one success fully re-admits it.
import type { UpstreamBackend } from "./upstream.js";

export interface PassiveHealthOptions {
  /** Consecutive failures that eject a backend. */
  maxFailures: number;
  /** How long an ejected backend is skipped (ms). */
  ejectMs: number;
}

let rr = 0;

function usable(b: UpstreamBackend, now: number): boolean {
  return b.healthy && !b.closed && b.ejectedUntil <= now;
}

/**
 * Returns a backend not in `tried`, or undefined when none is usable. When every backend is ejected
 * or failing its checks we still return one that was not tried (panic mode, as Envoy does): a
 * request against a possibly-recovered backend beats a certain 503.
 */
export function pick(
  backends: readonly UpstreamBackend[],
  now: number,
  tried?: readonly UpstreamBackend[],
): UpstreamBackend | undefined {
  const n = backends.length;
  if (n === 0) return undefined;
  if (n === 1) {
    const only = backends[0]!;
    return tried?.includes(only) || only.closed ? undefined : only;
  }
  const start = rr++ % n;
  if (rr > 1e9) rr = 0;
  let best: UpstreamBackend | undefined;
  for (let i = 0; i < n; i++) {
    const b = backends[(start + i) % n]!;
    if (tried?.includes(b) || !usable(b, now)) continue;
    if (!best || b.outstanding < best.outstanding) best = b;
  }
  if (best) return best;
  for (let i = 0; i < n; i++) {
    const b = backends[(start + i) % n]!;
    if (!tried?.includes(b) && !b.closed) return b;
  }
  return undefined;
}

/** Returns true when this failure ejected the backend (for the ejection metric). */
export function recordFailure(b: UpstreamBackend, now: number, opts: PassiveHealthOptions): boolean {
  b.failures++;
  if (b.failures >= opts.maxFailures && b.ejectedUntil <= now) {
    b.ejectedUntil = now + opts.ejectMs;
    return true;
  }
  return false;
}

export function recordSuccess(b: UpstreamBackend): void {
  if (b.failures !== 0) b.failures = 0;
  if (b.ejectedUntil !== 0) b.ejectedUntil = 0;
}
