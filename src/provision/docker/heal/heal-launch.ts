// Starting replacements for units the healer moves (lost with a node, or on a disabled
// node): all processes of a version at once, so a worker's start check does not wait for
// the web units' healthchecks; when the pool has room for only some, as many as fit. On any
// other failure nothing started here stays behind (rows and containers are removed).
import type { AppVersionRecord, UnitRecord } from "../../../store/types.js";
import { ServiceUnavailableError } from "../../../domain/errors.js";
import type { DockerCtx } from "../context.js";
import { discardUnits, launchUnits, type LaunchRequest } from "../launch.js";
import { replacementCounts } from "./heal-plan.js";

/** Starts `counts` units, as many as fit when not all do (with the scheduler's reason). */
export async function launchAsMany(
  dc: DockerCtx,
  req: Omit<LaunchRequest, "counts">,
  counts: Record<string, number>,
): Promise<{ fresh: UnitRecord[]; reason: string }> {
  try {
    return { fresh: await launchUnits(dc, { ...req, counts }), reason: "" };
  } catch (err) {
    // launchUnits removed what it started; anything but "no room" is the caller's failure.
    if (!(err instanceof ServiceUnavailableError)) throw err;
    if (Object.values(counts).reduce((a, n) => a + n, 0) <= 1) return { fresh: [], reason: err.message };
    const fresh: UnitRecord[] = [];
    let reason = "";
    try {
      for (const [process, n] of Object.entries(counts))
        for (let i = 0; i < n; i++) {
          try {
            fresh.push(...(await launchUnits(dc, { ...req, counts: { [process]: 1 } })));
          } catch (e) {
            if (!(e instanceof ServiceUnavailableError)) throw e;
            reason ||= e.message;
            break; // a unit of another process may still fit
          }
        }
    } catch (e) {
      await discardUnits(dc, fresh);
      throw e;
    }
    return { fresh, reason };
  }
}

export interface Replacements {
  /** Each started replacement with the unit it replaces. */
  pairs: Array<{ old: UnitRecord; fresh: UnitRecord }>;
  /** Units whose version is gone (and no serving version to replace them with). */
  orphaned: UnitRecord[];
  /** Units without a replacement for lack of room, and the first reason. */
  short: number;
  reason: string;
}

/**
 * Starts a replacement for each of `olds` (not routable yet: the caller switches them in).
 * A unit of a version since pruned is replaced by the serving version.
 */
export async function launchReplacements(
  dc: DockerCtx,
  req: Omit<LaunchRequest, "counts" | "version">,
  olds: readonly UnitRecord[],
  servingVersion: number,
): Promise<Replacements> {
  const store = dc.store;
  const app = req.app.name;
  const result: Replacements = { pairs: [], orphaned: [], short: 0, reason: "" };
  try {
    for (const [version, counts] of replacementCounts(olds)) {
      const mine = olds.filter((u) => u.version === version);
      const v: AppVersionRecord | null =
        (await store.findAppVersion(app, version)) ??
        (servingVersion ? await store.findAppVersion(app, servingVersion) : null);
      if (!v || v.status !== "ready") {
        result.orphaned.push(...mine);
        continue;
      }
      const r = await launchAsMany(dc, { ...req, version: v }, counts);
      for (const [process, n] of Object.entries(counts)) {
        const fresh = r.fresh.filter((u) => u.process === process);
        const from = mine.filter((u) => u.process === process);
        fresh.forEach((f, i) => result.pairs.push({ old: from[i]!, fresh: f }));
        result.short += n - fresh.length;
      }
      result.reason ||= r.reason;
    }
  } catch (e) {
    await discardUnits(
      dc,
      result.pairs.map((p) => p.fresh),
    );
    throw e;
  }
  return result;
}
