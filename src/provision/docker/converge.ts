// The docker provisioner's convergence of one app to its recorded intent (src/provision/
// intent.ts). The same function runs after every intent change (unit add/remove/set,
// start/stop, restart), at start-up and from the healer, so a crash at any step is finished
// by the next run. Every step is idempotent:
//  - units a crash left half-made (created, starting, error) or half-removed (removing) go;
//  - each process of the serving version gets its desired count of started units: missing
//    ones are placed by the scheduler and switched in once healthy, extra ones (the most
//    crowded, tsuru's rule) are taken out of the routes, drained and removed;
//  - units of an older restart generation are replaced make-before-break;
//  - a process only a never-served Procfile had is forgotten.
import type {
  App,
  AppProcessRecord,
  AppRuntimeRecord,
  AppVersionRecord,
  UnitRecord,
} from "../../store/types.js";
import type { ConvergeOptions, ConvergeReport, Out } from "../provisioner.js";
import { versionProcesses } from "../intent.js";
import { crashPoint } from "../../util/crash-point.js";
import type { DockerCtx } from "./context.js";
import { discardUnits, launchUnits, retireUnits } from "./launch.js";
import { loadClusterView, unitsToRemove } from "./placement.js";

const HALF_MADE: UnitRecord["status"][] = ["created", "starting", "error", "removing"];
const quiet: Out = () => undefined;

export async function convergeApp(
  dc: DockerCtx,
  appName: string,
  o: ConvergeOptions = {},
): Promise<ConvergeReport> {
  const store = dc.store;
  const report: ConvergeReport = { added: 0, removed: 0, discarded: 0 };
  const stale = await store.listUnits({ app: appName, status: HALF_MADE });
  await discardUnits(dc, stale);
  report.discarded = stale.length;
  const rt = await store.getAppRuntime(appName);
  const app = await store.findApp(appName);
  const v = rt.routableVersion ? await store.findAppVersion(appName, rt.routableVersion) : null;
  if (!app || !v) return report;
  const known = versionProcesses(v);
  for (const p of await store.listAppProcesses(appName)) {
    // A deploy that died before its route switch may have recorded a process only its own
    // (never served) Procfile has: the serving version cannot run it.
    if (!known.includes(p.process)) {
      await store.deleteAppProcess(appName, p.process);
      continue;
    }
    await convergeProcess(dc, app, v, rt, p, report, o);
  }
  return report;
}

async function convergeProcess(
  dc: DockerCtx,
  app: App,
  v: AppVersionRecord,
  rt: AppRuntimeRecord,
  p: AppProcessRecord,
  report: ConvergeReport,
  o: ConvergeOptions,
): Promise<void> {
  const store = dc.store;
  const out = o.out ?? quiet;
  const mine = await store.listUnits({ app: app.name, process: p.process, status: ["started"] });
  const want = p.stopped ? 0 : p.units;
  const current = mine.filter((u) => u.restartGen >= rt.restartGen);
  const older = mine.filter((u) => u.restartGen < rt.restartGen);
  let victims: UnitRecord[] = want === 0 ? mine : older;
  if (want > 0 && current.length > want) {
    const state = await loadClusterView(store);
    const ids = new Set(
      unitsToRemove(state, { app: app.name, process: p.process, pool: app.pool }, current.length - want),
    );
    victims = [...older, ...current.filter((u) => ids.has(u.id))];
  }
  const missing = Math.max(0, want - current.length);
  if (missing === 0 && victims.length === 0) return;
  const fresh = missing
    ? await launchUnits(dc, {
        app,
        version: v,
        counts: { [p.process]: missing },
        restartGen: rt.restartGen,
        out,
        ...(o.signal ? { signal: o.signal } : {}),
      })
    : [];
  // One transaction: the new units serve and the victims stop serving together.
  await store.tx(async (t) => {
    for (const u of fresh) await t.updateUnit(u.id, { status: "started", routable: u.process === "web" });
    for (const u of victims) await t.updateUnit(u.id, { status: "removing", routable: false });
  });
  if (fresh.length) crashPoint("route-published");
  report.added += fresh.length;
  await retireUnits(dc, victims, out);
  report.removed += victims.length;
}
