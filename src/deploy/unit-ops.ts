// unit add/remove and app start/stop/restart: the app's pool's provisioner records the new
// intent in the store and converges the app's units to it (src/provision/).
import type { App, AppVersionRecord } from "../store/types.js";
import { BadRequestError } from "../domain/errors.js";
import { resolveProcess } from "../provision/intent.js";
import type { Provisioner } from "../provision/provisioner.js";
import type { DeployCtx } from "./context.js";

type Out = (line: string) => void;

/** The routable version, or the tsuru error for an app never deployed. */
export async function currentVersion(dc: DeployCtx, app: string, what: string): Promise<AppVersionRecord> {
  const rt = await dc.ctx.store.getAppRuntime(app);
  const v = rt.routableVersion ? await dc.ctx.store.findAppVersion(app, rt.routableVersion) : null;
  if (!v)
    throw new BadRequestError(`${what} can only be done after the first deployment: deploy the app first.`);
  return v;
}

/** The pool's provisioner for an app. */
export function provisionerOf(dc: DeployCtx, app: Pick<App, "pool">): Promise<Provisioner> {
  return dc.provisioners.forApp(dc.ctx.store, app);
}

export async function addUnits(dc: DeployCtx, app: App, process: string, n: number, out: Out): Promise<void> {
  const proc = resolveProcess(await currentVersion(dc, app.name, "New units"), process);
  await (await provisionerOf(dc, app)).addUnits(app, proc, n, { out });
}

export async function removeUnits(
  dc: DeployCtx,
  app: App,
  process: string,
  n: number,
  out: Out,
): Promise<void> {
  const proc = resolveProcess(await currentVersion(dc, app.name, "Removing units"), process);
  await (await provisionerOf(dc, app)).removeUnits(app, proc, n, { out });
}

/** Restart = a new restart generation; the provisioner replaces units without downtime. */
export async function restartApp(dc: DeployCtx, app: App, process: string, out: Out): Promise<void> {
  const v = await currentVersion(dc, app.name, "Restart");
  if (process) resolveProcess(v, process);
  await (await provisionerOf(dc, app)).restart(app, process, { out });
}

export async function stopApp(dc: DeployCtx, app: App, process: string, out: Out): Promise<void> {
  const v = await currentVersion(dc, app.name, "Stop");
  await (await provisionerOf(dc, app)).stop(app, process ? resolveProcess(v, process) : "", { out });
}

export async function startApp(dc: DeployCtx, app: App, process: string, out: Out): Promise<void> {
  const v = await currentVersion(dc, app.name, "Start");
  await (await provisionerOf(dc, app)).start(app, process ? resolveProcess(v, process) : "", { out });
}

/** Everything of an app on the nodes (app remove). */
export async function removeAllUnits(dc: DeployCtx, app: string): Promise<void> {
  const a = await dc.ctx.store.findApp(app);
  await (a ? await provisionerOf(dc, a) : dc.provisioners.get("")).destroy(app);
}
