// Converges the nodes to the store after a crash or restart of `wharf server`. Every step
// is idempotent: running it twice, or after a crash in the middle of it, ends the same way.
//  - versions still "building" failed with the server, and so did a newest version that is
//    built but never became routable because its deploy died (no rollback target);
//  - each provisioner sweeps its nodes (units never switched in or half-removed, orphan
//    containers, build step containers: src/provision/docker/sweep.ts);
//  - each app is converged by its pool's provisioner to its recorded intent, the same
//    convergence every unit operation and the healer run.
// Apps with an operation still running (on PostgreSQL, another live server's deploy or unit
// add: this runs after the dead servers' events were closed) are left alone, and only the
// reconciler leader runs this at all (src/reconcile/leader.ts).
import type { Store } from "../store/types.js";
import type { ProvisionerRegistry } from "../provision/registry.js";
import { sweepsAtStartup } from "../provision/capabilities.js";

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
async function appsBusy(store: Store): Promise<Set<string>> {
  const running = await store.listEvents({ running: true, targetType: "app", limit: 1000 });
  return new Set(running.map((e) => e.target.value));
}

/**
 * A deploy killed after its build but before the route switch leaves its version "ready"
 * though it never served. The server closed that deploy's event (with an error) before
 * this runs; a deploy that finished or failed on its own already settled its version.
 */
async function failInterruptedRollout(store: Store, app: string): Promise<boolean> {
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
async function failBuilds(store: Store, busy: Set<string>): Promise<number> {
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

export async function reconcileAll(
  store: Store,
  provisioners: ProvisionerRegistry,
): Promise<ReconcileReport> {
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
  const busy = await appsBusy(store);
  report.failedBuilds = await failBuilds(store, busy);
  for (const p of provisioners.all()) {
    if (!sweepsAtStartup(p)) continue;
    const s = await p.sweep(busy);
    report.discarded += s.discarded;
    report.orphans += s.orphans;
    report.buildContainers += s.buildContainers;
    report.errors.push(...s.errors);
  }
  const deployed = new Set((await store.listUnits()).map((u) => u.app));
  for (const a of await store.listApps()) deployed.add(a.name);
  for (const app of deployed) {
    if (busy.has(app)) {
      report.busyApps++;
      continue;
    }
    try {
      if (await failInterruptedRollout(store, app)) report.failedRollouts++;
      const a = await store.findApp(app);
      // A unit row of an app removed meanwhile: the default provisioner's sweep has it.
      const p = a ? await provisioners.forApp(store, a) : provisioners.get("");
      const r = await p.converge(app);
      report.added += r.added;
      report.removed += r.removed;
      report.discarded += r.discarded;
    } catch (err) {
      report.errors.push(`app ${app}: ${(err as Error).message}`);
    }
  }
  return report;
}
