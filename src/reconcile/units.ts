// Converges the nodes to the store after a crash or restart of `wharf server`. Every step
// is idempotent: running it twice, or after a crash in the middle of it, ends the same way.
//  - versions still "building" failed with the server, and so did a newest version that is
//    built but never became routable because its deploy died (no rollback target);
//  - units never switched in (created/starting) belonged to an interrupted rollout or unit
//    add: removed, so the old version keeps serving;
//  - units marked removing are finished off;
//  - containers with Wharf's labels that no unit row claims are removed (orphans), and so
//    are step containers of builds no running deploy owns (the engine may outlive the client);
//  - each process of a deployed app gets back its desired unit count.
// Apps with an operation still running (on PostgreSQL, another live server's deploy or unit
// add: this runs after the dead servers' events were closed) are left alone, and only the
// reconciler leader runs this at all (src/reconcile/leader.ts).
import type { UnitRecord } from "../store/types.js";
import { LABELS, listManagedUnits, removeUnit } from "../provision/docker/index.js";
import { BUILD_LABEL } from "../build/build-run.js";
import { isNotFound } from "../cluster/docker/types.js";
import type { DeployCtx } from "../deploy/context.js";
import { discardUnits, launchUnits } from "../deploy/units.js";
import { clusterView, unitsToRemove } from "../deploy/placement.js";

export interface ReconcileReport {
  failedBuilds: number;
  failedRollouts: number;
  discarded: number;
  orphans: number;
  buildContainers: number;
  /** Apps skipped because an operation on them is running. */
  busyApps: number;
  added: number;
  removed: number;
  errors: string[];
}

/** Apps with an operation running (on PostgreSQL another live server may be running it). */
async function appsDeploying(dc: DeployCtx): Promise<Set<string>> {
  const running = await dc.ctx.store.listEvents({ running: true, targetType: "app", limit: 1000 });
  return new Set(running.map((e) => e.target.value));
}

async function sweepOrphans(dc: DeployCtx, known: Set<string>, report: ReconcileReport): Promise<void> {
  const deploying = await appsDeploying(dc);
  for (const n of await dc.ctx.store.listNodes()) {
    if (n.health.state === "unhealthy") continue;
    try {
      const engine = dc.engines.engineFor(n.address);
      for (const c of await listManagedUnits(engine)) {
        if (known.has(c.unitId)) continue;
        await removeUnit(engine, c.containerId);
        report.orphans++;
      }
      const builds = await engine.containers.list({ all: true, labels: [BUILD_LABEL] });
      for (const c of builds) {
        // Units and one-off containers inherit the label from the app image they run.
        if (c.Labels[LABELS.managed] || c.Labels[LABELS.oneoff]) continue;
        if (deploying.has(c.Labels[BUILD_LABEL] ?? "")) continue;
        await engine.containers.remove(c.Id, { force: true }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
        report.buildContainers++;
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
  const known = Object.keys(v.processes).length ? Object.keys(v.processes) : ["web"];
  for (const p of await store.listAppProcesses(app)) {
    // A deploy that died before its route switch may have recorded a process only its own
    // (never served) Procfile has: the serving version cannot run it.
    if (!known.includes(p.process)) {
      await store.deleteAppProcess(app, p.process);
      continue;
    }
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
      });
      await discardUnits(dc, victims);
      report.removed += victims.length;
    }
  }
}

/**
 * A deploy killed after its build but before the route switch leaves its version "ready"
 * though it never served. The server closed that deploy's event (with an error) before
 * this runs; a deploy that finished or failed on its own already settled its version.
 */
async function failInterruptedRollout(dc: DeployCtx, app: string): Promise<boolean> {
  const store = dc.ctx.store;
  const [newest] = await store.listAppVersions(app);
  if (!newest || newest.status !== "ready" || !newest.eventId) return false;
  if ((await store.getAppRuntime(app)).routableVersion === newest.version) return false;
  const ev = await store.findEvent(newest.eventId);
  if (!ev || ev.running || !ev.error) return false;
  await store.updateAppVersion(app, newest.version, {
    status: "failed",
    error: "the server stopped before this version's rollout finished; the previous version kept serving",
  });
  return true;
}

const BUILD_DIED = "the server restarted while this version was building";

/** Versions still "building" whose deploy is not running any more failed with their server. */
async function failBuilds(dc: DeployCtx, busy: Set<string>): Promise<number> {
  const store = dc.ctx.store;
  if (busy.size === 0) return store.failBuildingVersions(BUILD_DIED);
  let n = 0;
  for (const a of await store.listApps()) {
    if (busy.has(a.name)) continue;
    for (const v of await store.listAppVersions(a.name)) {
      if (v.status !== "building") continue;
      await store.updateAppVersion(a.name, v.version, { status: "failed", error: BUILD_DIED });
      n++;
    }
  }
  return n;
}

export async function reconcileAll(dc: DeployCtx): Promise<ReconcileReport> {
  const store = dc.ctx.store;
  const report: ReconcileReport = {
    failedBuilds: 0,
    failedRollouts: 0,
    discarded: 0,
    orphans: 0,
    buildContainers: 0,
    busyApps: 0,
    added: 0,
    removed: 0,
    errors: [],
  };
  const busy = await appsDeploying(dc);
  report.failedBuilds = await failBuilds(dc, busy);
  const stale: UnitRecord[] = (
    await store.listUnits({ status: ["created", "starting", "removing", "error"] })
  ).filter((u) => !busy.has(u.app));
  await discardUnits(dc, stale);
  report.discarded = stale.length;
  await sweepOrphans(dc, new Set((await store.listUnits()).map((u) => u.id)), report);
  const deployed = new Set((await store.listUnits()).map((u) => u.app));
  for (const a of await store.listApps()) deployed.add(a.name);
  for (const app of deployed) {
    if (busy.has(app)) {
      report.busyApps++;
      continue;
    }
    try {
      if (await failInterruptedRollout(dc, app)) report.failedRollouts++;
      await converge(dc, app, report);
    } catch (err) {
      report.errors.push(`app ${app}: ${(err as Error).message}`);
    }
  }
  return report;
}
