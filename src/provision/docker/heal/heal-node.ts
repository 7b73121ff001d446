// Node failure: the units of a node the monitor marked unhealthy stop receiving traffic at
// once, then get replacements the scheduler places on the pool's healthy nodes (spread
// kept); the replacements are switched in and the lost units' rows deleted. Their
// containers stay on the dead node until it returns, when the orphan sweep removes them.
import type { UnitRecord } from "../../../store/types.js";
import type { DockerCtx } from "../context.js";
import { loadClusterView, placeUnits } from "../placement.js";
import { listManagedUnits, removeUnit } from "../units.js";
import { healHistory, lostUnits, orphanContainers } from "./heal-plan.js";
import { launchReplacements } from "./heal-launch.js";
import type { HealEvent } from "./app-queue.js";

/**
 * Takes the units of unhealthy nodes out of the routes (no lock: it only narrows traffic,
 * and must not wait behind a deploy). Returns the lost units by app.
 */
export async function unrouteLost(dc: DockerCtx): Promise<Map<string, UnitRecord[]>> {
  const store = dc.store;
  const lost = lostUnits(await store.listNodes(), await store.listUnits({ status: ["started"] }));
  for (const units of lost.values()) {
    if (!units.some((u) => u.routable)) continue;
    await store.tx(async (t) => {
      for (const u of units) if (u.routable) await t.updateUnit(u.id, { routable: false });
    });
  }
  return lost;
}

/**
 * How many of the lost units the scheduler could place now (a dry run), and the
 * scheduler's reason for the first one that does not fit.
 */
export async function placeable(
  dc: DockerCtx,
  app: string,
  lost: readonly UnitRecord[],
): Promise<{ n: number; reason: string }> {
  const store = dc.store;
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

/** Run under the app's lock: replaces the app's units that sit on unhealthy nodes. */
export async function rescheduleApp(
  dc: DockerCtx,
  app: string,
  ev: HealEvent,
  signal?: AbortSignal,
): Promise<RescheduleResult> {
  const store = dc.store;
  const lost =
    lostUnits(await store.listNodes(), await store.listUnits({ app, status: ["started"] })).get(app) ?? [];
  const result: RescheduleResult = { lost: lost.length, replaced: [], short: 0, shortReason: "" };
  const a = await store.findApp(app);
  if (!a || lost.length === 0) return result;
  const rt = await store.getAppRuntime(app);
  const out = (line: string) => void ev.log(line).catch(() => undefined);
  for (const u of lost) await ev.log(`unit ${u.id} [${u.process}] lost with node ${u.node}`);
  const r = await launchReplacements(
    dc,
    { app: a, restartGen: rt.restartGen, out, ...(signal ? { signal } : {}) },
    lost,
    rt.routableVersion,
  );
  result.short = r.short;
  result.shortReason = r.reason;
  const fresh = r.pairs.map((x) => x.fresh);
  await store.tx(async (t) => {
    for (const { old, fresh: u } of r.pairs)
      await t.updateUnit(u.id, { status: "started", routable: u.process === "web", ...healHistory(old) });
    // Lost units whose version is gone have nothing to come back as.
    for (const u of [...r.pairs.map((x) => x.old), ...r.orphaned]) await t.deleteUnit(u.id);
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
export async function sweepNodeOrphans(dc: DockerCtx, address: string): Promise<number> {
  const engine = dc.engines.engineFor(address);
  const containers = await listManagedUnits(engine);
  // Read after listing: rows are written before containers (see orphanContainers).
  const known = new Set((await dc.store.listUnits()).map((u) => u.id));
  const orphans = orphanContainers(containers, known);
  for (const c of orphans) await removeUnit(engine, c.containerId);
  return orphans.length;
}
