// Zero-downtime rollout of a version: start the new units and wait until each is healthy,
// switch the routes in one transaction (new units routable, old ones marked removing),
// then drain and stop the old units. A failure before the switch leaves the old version
// serving and removes every new unit.
import type { AppVersionRecord, StoreTx, UnitRecord } from "../../store/types.js";
import type { RolloutOptions } from "../provisioner.js";
import { recordDeployIntent } from "../intent.js";
import { discardUnits, launchUnits, retireUnits } from "./launch.js";
import type { DockerCtx } from "./context.js";
import { BadRequestError } from "../../domain/errors.js";

/** Makes `newUnits` the app's units: routable (web) and started; everything else retires. */
export async function switchTo(
  dc: DockerCtx,
  app: string,
  version: number,
  newUnits: readonly UnitRecord[],
  keep: (u: UnitRecord) => boolean = () => false,
  onSwitch?: (t: StoreTx) => Promise<void>,
): Promise<UnitRecord[]> {
  const ids = new Set(newUnits.map((u) => u.id));
  return dc.store.tx(async (t) => {
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
  dc: DockerCtx,
  appName: string,
  v: AppVersionRecord,
  o: RolloutOptions,
): Promise<void> {
  const pushing = o.pushing;
  if (v.status !== "ready" && !pushing)
    throw new BadRequestError(`Version v${v.version} of ${appName} is not ready to run.`);
  const store = dc.store;
  const app = await store.getApp(appName);
  const counts = await store.tx((t) => recordDeployIntent(t, appName, v));
  const restartGen = (await store.getAppRuntime(appName)).restartGen;
  const fresh = await launchUnits(dc, {
    app,
    version: v,
    counts,
    restartGen,
    out: o.out,
    ...(o.signal ? { signal: o.signal } : {}),
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
