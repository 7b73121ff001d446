// What a crash leaves on the nodes besides the units the store knows, removed at start-up
// (the reconciler leader's first pass): rows of units never switched in or half-removed, the
// containers with Wharf's labels that no unit row claims (orphans), and step containers of
// builds no running deploy owns (the engine may outlive the client). Apps with an operation
// running (`busy`: on PostgreSQL another live server's) are left alone.
import type { SweepReport } from "../capabilities.js";
import { BUILD_LABEL } from "../../build/build-run.js";
import { isNotFound } from "../../cluster/docker/types.js";
import type { DockerCtx } from "./context.js";
import { discardUnits } from "./launch.js";
import { LABELS } from "./spec.js";
import { listManagedUnits, removeUnit } from "./units.js";

export async function sweepNodes(dc: DockerCtx, busy: ReadonlySet<string>): Promise<SweepReport> {
  const store = dc.store;
  const report: SweepReport = { discarded: 0, orphans: 0, buildContainers: 0, errors: [] };
  const stale = (await store.listUnits({ status: ["created", "starting", "removing", "error"] })).filter(
    (u) => !busy.has(u.app),
  );
  await discardUnits(dc, stale);
  report.discarded = stale.length;
  const known = new Set((await store.listUnits()).map((u) => u.id));
  for (const n of await store.listNodes()) {
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
        if (busy.has(c.Labels[BUILD_LABEL] ?? "")) continue;
        await engine.containers.remove(c.Id, { force: true }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
        report.buildContainers++;
      }
    } catch (err) {
      report.errors.push(`node ${n.address}: ${(err as Error).message}`);
    }
  }
  return report;
}
