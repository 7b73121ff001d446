// Zero-downtime rollout of a version: start the new units and wait until each is healthy,
// switch the routes in one transaction (new units routable, old ones marked removing),
// then drain and stop the old units. A failure before the switch leaves the old version
// serving and removes every new unit.
import type { AppVersionRecord, StoreTx, UnitRecord } from "../store/types.js";
import { discardUnits, launchUnits, retireUnits } from "./units.js";
import type { DeployCtx } from "./context.js";
import { BadRequestError } from "../domain/errors.js";

export interface RolloutOptions {
  out: (line: string) => void;
  signal?: AbortSignal;
  /**
   * A version whose push is still running: units on `node` (which built it) start at once,
   * others once `pushed` settles; routes switch only after it did. Without it the version
   * must be ready.
   */
  pushing?: { node: string; pushed: Promise<void> };
  /** More changes that must commit with the route switch (a deploy's count). */
  onSwitch?: (t: StoreTx) => Promise<void>;
}

/** Desired units per process of this version: stored counts; a new process starts with 1. */
async function desiredCounts(
  dc: DeployCtx,
  app: string,
  v: AppVersionRecord,
): Promise<Record<string, number>> {
  const store = dc.ctx.store;
  const names = Object.keys(v.processes).length ? Object.keys(v.processes) : ["web"];
  const rows = new Map((await store.listAppProcesses(app)).map((p) => [p.process, p]));
  const counts: Record<string, number> = {};
  for (const name of names) {
    const row = rows.get(name) ?? { app, process: name, units: 1, stopped: false };
    if (!rows.has(name)) await store.setAppProcess(row);
    counts[name] = row.stopped ? 0 : row.units;
  }
  // Processes the new Procfile dropped go away with their units.
  for (const name of rows.keys()) if (!names.includes(name)) await store.deleteAppProcess(app, name);
  return counts;
}

/** Makes `newUnits` the app's units: routable (web) and started; everything else retires. */
export async function switchTo(
  dc: DeployCtx,
  app: string,
  version: number,
  newUnits: readonly UnitRecord[],
  keep: (u: UnitRecord) => boolean = () => false,
  onSwitch?: (t: StoreTx) => Promise<void>,
): Promise<UnitRecord[]> {
  const ids = new Set(newUnits.map((u) => u.id));
  return dc.ctx.store.tx(async (t) => {
    const old: UnitRecord[] = [];
    for (const u of await t.listUnits({ app })) {
      if (ids.has(u.id)) {
        await t.updateUnit(u.id, { status: "started", routable: u.process === "web" });
      } else if (!keep(u)) {
        old.push(u);
        await t.updateUnit(u.id, { status: "removing", routable: false });
      }
    }
    await t.setRoutableVersion(app, version);
    await onSwitch?.(t);
    return old;
  });
}

export async function rollout(
  dc: DeployCtx,
  appName: string,
  v: AppVersionRecord,
  o: RolloutOptions,
): Promise<void> {
  const pushing = o.pushing;
  if (v.status !== "ready" && !pushing)
    throw new BadRequestError(`Version v${v.version} of ${appName} is not ready to run.`);
  const store = dc.ctx.store;
  const app = await store.getApp(appName);
  const counts = await desiredCounts(dc, appName, v);
  const restartGen = (await store.getAppRuntime(appName)).restartGen;
  const fresh = await launchUnits(dc, {
    app,
    version: v,
    counts,
    restartGen,
    out: o.out,
    signal: o.signal,
    ...(pushing
      ? { imageOn: (node: string) => (node === pushing.node ? Promise.resolve() : pushing.pushed) }
      : {}),
  });
  // Other nodes (healing, later unit adds) pull the image: it serves only once the registry has it.
  try {
    await pushing?.pushed;
  } catch (err) {
    await discardUnits(dc, fresh);
    throw err;
  }
  if (o.signal?.aborted) {
    await discardUnits(dc, fresh);
    throw new BadRequestError("The deploy was canceled; the previous version keeps serving.");
  }
  const old = await switchTo(dc, appName, v.version, fresh, undefined, o.onSwitch);
  o.out(`\n---- Routes updated: version v${v.version} is serving ----\n`);
  await retireUnits(dc, old, o.out);
}
