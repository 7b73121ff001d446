// unit add/remove and app start/stop/restart: each changes the desired state in the store,
// then converges the app's units to it (scheduler for placement, rollout for restarts).
import type { App, AppVersionRecord, UnitRecord } from "../store/types.js";
import { BadRequestError } from "../domain/errors.js";
import { clusterView, unitsToRemove } from "./placement.js";
import { discardUnits, launchUnits, retireUnits } from "./units.js";
import { rollout, switchTo } from "./rollout.js";
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

/** tsuru: an empty process means the app's only process; several processes need -p. */
function resolveProcess(v: AppVersionRecord, process: string): string {
  const names = Object.keys(v.processes).length ? Object.keys(v.processes) : ["web"];
  if (process) {
    if (!names.includes(process))
      throw new BadRequestError(`Process "${process}" not found: this app has ${names.join(", ")}.`);
    return process;
  }
  if (names.length > 1)
    throw new BadRequestError(`You must choose a process with -p: this app has ${names.join(", ")}.`);
  return names[0]!;
}

export async function addUnits(dc: DeployCtx, app: App, process: string, n: number, out: Out): Promise<void> {
  const v = await currentVersion(dc, app.name, "New units");
  const proc = resolveProcess(v, process);
  const live = await dc.ctx.store.listUnits({ app: app.name, process: proc });
  const rt = await dc.ctx.store.getAppRuntime(app.name);
  const fresh = await launchUnits(dc, {
    app,
    version: v,
    counts: { [proc]: n },
    restartGen: rt.restartGen,
    out,
  });
  // Desired count and routability change together, so a crash leaves a consistent state.
  await dc.ctx.store.tx(async (t) => {
    for (const u of fresh) await t.updateUnit(u.id, { status: "started", routable: u.process === "web" });
    await t.setAppProcess({ app: app.name, process: proc, units: live.length + n, stopped: false });
  });
  out(`\n---- ${n} unit${n === 1 ? "" : "s"} added to ${proc}: now ${live.length + n} ----\n`);
}

export async function removeUnits(
  dc: DeployCtx,
  app: App,
  process: string,
  n: number,
  out: Out,
): Promise<void> {
  const v = await currentVersion(dc, app.name, "Removing units");
  const proc = resolveProcess(v, process);
  const live = await dc.ctx.store.listUnits({ app: app.name, process: proc });
  if (n > live.length)
    throw new BadRequestError(
      `cannot remove ${n} units from process "${proc}", only ${live.length} available`,
    );
  const state = clusterView(await dc.ctx.store.listNodes(), await dc.ctx.store.listUnits());
  const ids = new Set(unitsToRemove(state, { app: app.name, process: proc, pool: app.pool }, n));
  const victims: UnitRecord[] = await dc.ctx.store.tx(async (t) => {
    const out2: UnitRecord[] = [];
    for (const u of live) {
      if (!ids.has(u.id)) continue;
      out2.push(u);
      await t.updateUnit(u.id, { status: "removing", routable: false });
    }
    await t.setAppProcess({ app: app.name, process: proc, units: live.length - n, stopped: false });
    return out2;
  });
  await retireUnits(dc, victims, out);
  out(`\n---- ${n} unit${n === 1 ? "" : "s"} removed from ${proc}: now ${live.length - n} ----\n`);
}

/** Restart = a rollout of the same version with a new generation (tsuru replaces units). */
export async function restartApp(dc: DeployCtx, app: App, process: string, out: Out): Promise<void> {
  const v = await currentVersion(dc, app.name, "Restart");
  if (process) resolveProcess(v, process);
  await dc.ctx.store.bumpRestartGen(app.name);
  out(`---- Restarting ${process ? `process ${process} of ` : ""}${app.name} ----\n`);
  if (!process) return rollout(dc, app.name, v, { out });
  const rt = await dc.ctx.store.getAppRuntime(app.name);
  const desired = (await dc.ctx.store.listAppProcesses(app.name)).find((p) => p.process === process);
  const fresh = await launchUnits(dc, {
    app,
    version: v,
    counts: { [process]: desired?.stopped ? 0 : (desired?.units ?? 1) },
    restartGen: rt.restartGen,
    out,
  });
  const old = await switchTo(dc, app.name, v.version, fresh, (u) => u.process !== process);
  await retireUnits(dc, old, out);
}

export async function stopApp(dc: DeployCtx, app: App, process: string, out: Out): Promise<void> {
  const v = await currentVersion(dc, app.name, "Stop");
  const procs = process ? [resolveProcess(v, process)] : Object.keys(v.processes);
  const victims = await dc.ctx.store.tx(async (t) => {
    const list: UnitRecord[] = [];
    for (const proc of procs) {
      const units = await t.listUnits({ app: app.name, process: proc });
      const cur = (await t.listAppProcesses(app.name)).find((p) => p.process === proc);
      await t.setAppProcess({
        app: app.name,
        process: proc,
        units: cur?.units ?? units.length,
        stopped: true,
      });
      for (const u of units) {
        list.push(u);
        await t.updateUnit(u.id, { status: "removing", routable: false });
      }
    }
    return list;
  });
  out(`---- Stopping ${victims.length} unit${victims.length === 1 ? "" : "s"} ----\n`);
  await retireUnits(dc, victims, out);
}

export async function startApp(dc: DeployCtx, app: App, process: string, out: Out): Promise<void> {
  const v = await currentVersion(dc, app.name, "Start");
  const procs = process ? [resolveProcess(v, process)] : Object.keys(v.processes);
  const rows = await dc.ctx.store.listAppProcesses(app.name);
  const counts: Record<string, number> = {};
  for (const proc of procs) {
    const cur = rows.find((p) => p.process === proc);
    if (cur && !cur.stopped) continue;
    counts[proc] = Math.max(cur?.units ?? 1, 1);
  }
  if (Object.keys(counts).length === 0) {
    out("---- Already started ----\n");
    return;
  }
  const rt = await dc.ctx.store.getAppRuntime(app.name);
  const fresh = await launchUnits(dc, { app, version: v, counts, restartGen: rt.restartGen, out });
  await dc.ctx.store.tx(async (t) => {
    for (const u of fresh) await t.updateUnit(u.id, { status: "started", routable: u.process === "web" });
    for (const [proc, units] of Object.entries(counts))
      await t.setAppProcess({ app: app.name, process: proc, units, stopped: false });
  });
  out(`---- Started ${fresh.length} unit${fresh.length === 1 ? "" : "s"} ----\n`);
}

/** Everything of an app on the nodes (app remove). */
export async function removeAllUnits(dc: DeployCtx, app: string): Promise<void> {
  await discardUnits(dc, await dc.ctx.store.listUnits({ app }));
}
