// Converges the nodes to the store after a crash or restart of `wharf server`. Every step
// is idempotent: running it twice, or after a crash in the middle of it, ends the same way.
//  - versions still "building" failed with the server;
//  - units never switched in (created/starting) belonged to an interrupted rollout or unit
//    add: removed, so the old version keeps serving;
//  - units marked removing are finished off;
//  - containers with Wharf's labels that no unit row claims are removed (orphans);
//  - each process of a deployed app gets back its desired unit count.
import type { UnitRecord } from "../store/types.js";
import { listManagedUnits, removeUnit } from "../provision/docker/index.js";
import type { DeployCtx } from "../deploy/context.js";
import { discardUnits, launchUnits } from "../deploy/units.js";
import { clusterView, unitsToRemove } from "../deploy/placement.js";
import { publishAppRoute } from "./routes.js";

export interface ReconcileReport {
  failedBuilds: number;
  discarded: number;
  orphans: number;
  added: number;
  removed: number;
  errors: string[];
}

async function sweepOrphans(dc: DeployCtx, known: Set<string>, report: ReconcileReport): Promise<void> {
  for (const n of await dc.ctx.store.listNodes()) {
    if (n.health.state === "unhealthy") continue;
    try {
      const engine = dc.engines.engineFor(n.address);
      for (const c of await listManagedUnits(engine)) {
        if (known.has(c.unitId)) continue;
        await removeUnit(engine, c.containerId);
        report.orphans++;
      }
    } catch (err) {
      report.errors.push(`node ${n.address}: ${(err as Error).message}`);
    }
  }
}

async function converge(dc: DeployCtx, app: string, report: ReconcileReport): Promise<void> {
  const store = dc.ctx.store;
  const rt = await store.getAppRuntime(app);
  if (!rt.routableVersion) return;
  const v = await store.findAppVersion(app, rt.routableVersion);
  const a = await store.findApp(app);
  if (!v || !a) return;
  const units = await store.listUnits({ app, status: ["started"] });
  for (const p of await store.listAppProcesses(app)) {
    const mine = units.filter((u) => u.process === p.process);
    const want = p.stopped ? 0 : p.units;
    if (mine.length < want) {
      const fresh = await launchUnits(dc, {
        app: a,
        version: v,
        counts: { [p.process]: want - mine.length },
        restartGen: rt.restartGen,
        out: () => undefined,
      });
      await store.tx(async (t) => {
        for (const u of fresh) await t.updateUnit(u.id, { status: "started", routable: u.process === "web" });
        await publishAppRoute(t, app);
      });
      report.added += fresh.length;
    } else if (mine.length > want) {
      const state = clusterView(await store.listNodes(), await store.listUnits());
      const ids = new Set(
        unitsToRemove(state, { app, process: p.process, pool: a.pool }, mine.length - want),
      );
      const victims = mine.filter((u) => ids.has(u.id));
      await store.tx(async (t) => {
        for (const u of victims) await t.updateUnit(u.id, { status: "removing", routable: false });
        await publishAppRoute(t, app);
      });
      await discardUnits(dc, victims);
      report.removed += victims.length;
    }
  }
}

export async function reconcileAll(dc: DeployCtx): Promise<ReconcileReport> {
  const store = dc.ctx.store;
  const report: ReconcileReport = {
    failedBuilds: 0,
    discarded: 0,
    orphans: 0,
    added: 0,
    removed: 0,
    errors: [],
  };
  report.failedBuilds = await store.failBuildingVersions(
    "the server restarted while this version was building",
  );
  const stale: UnitRecord[] = await store.listUnits({ status: ["created", "starting", "removing", "error"] });
  const apps = new Set(stale.map((u) => u.app));
  await discardUnits(dc, stale);
  report.discarded = stale.length;
  for (const app of apps) await publishAppRoute(store, app);
  await sweepOrphans(dc, new Set((await store.listUnits()).map((u) => u.id)), report);
  const deployed = new Set((await store.listUnits()).map((u) => u.app));
  for (const a of await store.listApps()) deployed.add(a.name);
  for (const app of deployed) {
    try {
      await converge(dc, app, report);
    } catch (err) {
      report.errors.push(`app ${app}: ${(err as Error).message}`);
    }
  }
  return report;
}
