// Node failure: the units of a node the monitor marked unhealthy stop receiving traffic at
// once, then get replacements the scheduler places on the pool's healthy nodes (spread
// kept); the replacements are switched in and the lost units' rows deleted. Their
// containers stay on the dead node until it returns, when the orphan sweep removes them.
import type { UnitRecord } from "../store/types.js";
import { ServiceUnavailableError } from "../domain/errors.js";
import type { DeployCtx } from "../deploy/context.js";
import { launchUnits } from "../deploy/units.js";
import { loadClusterView, placeUnits } from "../deploy/placement.js";
import { listManagedUnits, removeUnit } from "../provision/docker/index.js";
import { publishAppRoute } from "./routes.js";
import { healHistory, lostUnits, orphanContainers, replacementCounts } from "./heal-plan.js";
import type { HealEvent } from "./app-queue.js";

/**
 * Takes the units of unhealthy nodes out of the routes (no lock: it only narrows traffic,
 * and must not wait behind a deploy). Returns the lost units by app.
 */
export async function unrouteLost(dc: DeployCtx): Promise<Map<string, UnitRecord[]>> {
  const store = dc.ctx.store;
  const lost = lostUnits(await store.listNodes(), await store.listUnits({ status: ["started"] }));
  for (const [app, units] of lost) {
    if (!units.some((u) => u.routable)) continue;
    await store.tx(async (t) => {
      for (const u of units) if (u.routable) await t.updateUnit(u.id, { routable: false });
      await publishAppRoute(t, app);
    });
  }
  return lost;
}

/**
 * How many of the lost units the scheduler could place now (a dry run), and the
 * scheduler's reason for the first one that does not fit.
 */
export async function placeable(
  dc: DeployCtx,
  app: string,
  lost: readonly UnitRecord[],
): Promise<{ n: number; reason: string }> {
  const store = dc.ctx.store;
  const a = await store.findApp(app);
  if (!a) return { n: 0, reason: `app ${app} is gone` };
  const state = await loadClusterView(store);
  const plan = await store.getPlan(a.plan);
  const { constraints } = await store.getAppRuntime(app);
  let n = 0;
  let reason = "";
  for (const u of lost) {
    try {
      placeUnits(state, { app, process: u.process, pool: a.pool, memory: plan.memory, constraints }, [
        `${u.id}-probe`,
      ]);
      n++;
    } catch (err) {
      // This one does not fit; a unit of another process may.
      reason ||= (err as Error).message;
    }
  }
  return { n, reason };
}

export interface RescheduleResult {
  lost: number;
  replaced: string[];
  /** Units still without a replacement, and why. */
  short: number;
  shortReason: string;
}

/** Replaces `n` units of one process, as many as fit when not all do. */
export async function launchAsMany(
  dc: DeployCtx,
  req: Omit<Parameters<typeof launchUnits>[1], "counts">,
  process: string,
  n: number,
): Promise<{ fresh: UnitRecord[]; reason: string }> {
  try {
    return { fresh: await launchUnits(dc, { ...req, counts: { [process]: n } }), reason: "" };
  } catch (err) {
    if (!(err instanceof ServiceUnavailableError) || n === 1) {
      if (err instanceof ServiceUnavailableError) return { fresh: [], reason: err.message };
      throw err;
    }
    const fresh: UnitRecord[] = [];
    for (let i = 0; i < n; i++) {
      try {
        fresh.push(...(await launchUnits(dc, { ...req, counts: { [process]: 1 } })));
      } catch (e) {
        if (!(e instanceof ServiceUnavailableError)) throw e;
        return { fresh, reason: e.message };
      }
    }
    return { fresh, reason: "" };
  }
}

/** Run under the app's lock: replaces the app's units that sit on unhealthy nodes. */
export async function rescheduleApp(
  dc: DeployCtx,
  app: string,
  ev: HealEvent,
  signal?: AbortSignal,
): Promise<RescheduleResult> {
  const store = dc.ctx.store;
  const lost =
    lostUnits(await store.listNodes(), await store.listUnits({ app, status: ["started"] })).get(app) ?? [];
  const result: RescheduleResult = { lost: lost.length, replaced: [], short: 0, shortReason: "" };
  const a = await store.findApp(app);
  if (!a || lost.length === 0) return result;
  const rt = await store.getAppRuntime(app);
  const out = (line: string) => void ev.log(line).catch(() => undefined);
  for (const u of lost) await ev.log(`unit ${u.id} [${u.process}] lost with node ${u.node}`);
  const fresh: UnitRecord[] = [];
  const gone: UnitRecord[] = [];
  /** Replacement id → the lost unit whose history it carries on. */
  const heirs = new Map<string, UnitRecord>();
  for (const [version, counts] of replacementCounts(lost)) {
    // A lost unit of a version since pruned is replaced by the serving version.
    const v =
      (await store.findAppVersion(app, version)) ??
      (rt.routableVersion ? await store.findAppVersion(app, rt.routableVersion) : null);
    if (!v || v.status !== "ready") {
      gone.push(...lost.filter((u) => u.version === version));
      continue;
    }
    for (const [process, n] of Object.entries(counts)) {
      const r = await launchAsMany(
        dc,
        { app: a, version: v, restartGen: rt.restartGen, out, ...(signal ? { signal } : {}) },
        process,
        n,
      );
      const olds = lost.filter((u) => u.version === version && u.process === process);
      r.fresh.forEach((f, i) => heirs.set(f.id, olds[i]!));
      fresh.push(...r.fresh);
      gone.push(...olds.slice(0, r.fresh.length));
      if (r.fresh.length < n) {
        result.short += n - r.fresh.length;
        result.shortReason = r.reason;
      }
    }
  }
  await store.tx(async (t) => {
    for (const u of fresh) {
      const was = heirs.get(u.id);
      await t.updateUnit(u.id, {
        status: "started",
        routable: u.process === "web",
        ...(was ? healHistory(was) : {}),
      });
    }
    for (const u of gone) await t.deleteUnit(u.id);
    await publishAppRoute(t, app);
  });
  result.replaced = fresh.map((u) => u.id);
  for (const u of fresh) await ev.log(`unit ${u.id} [${u.process}] started on ${u.node}`);
  if (result.short)
    await ev.log(`${result.short} unit(s) still without a replacement: ${result.shortReason}`);
  return result;
}

/**
 * Removes the node's unit containers the store no longer knows (units rescheduled while
 * it was away, or discarded while it could not be reached). Returns how many.
 */
export async function sweepNodeOrphans(dc: DeployCtx, address: string): Promise<number> {
  const engine = dc.engines.engineFor(address);
  const containers = await listManagedUnits(engine);
  // Read after listing: rows are written before containers (see orphanContainers).
  const known = new Set((await dc.ctx.store.listUnits()).map((u) => u.id));
  const orphans = orphanContainers(containers, known);
  for (const c of orphans) await removeUnit(engine, c.containerId);
  return orphans.length;
}
