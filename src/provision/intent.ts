// Intent, recorded in the store before any provisioner touches a node: which version serves,
// how many units each process wants, whether it is stopped, and the restart generation.
// Every provisioner records intent through these functions and then converges to it, so a
// crash at any later step leaves the intent to finish (start-up convergence, the healer).
// They are the same for docker, swarm and kubernetes: the intent is Wharf's, not the
// orchestrator's (tsuru kept it in swarm labels; Wharf keeps it in its store for all three).
import { BadRequestError } from "../domain/errors.js";
import type { AppProcessRecord, AppVersionRecord, StoreOps } from "../store/types.js";

type Store = Pick<StoreOps, "listAppProcesses" | "setAppProcess" | "deleteAppProcess" | "listUnits">;

/** The processes a version runs: its Procfile's, or `web` alone. */
export function versionProcesses(v: Pick<AppVersionRecord, "processes">): string[] {
  return Object.keys(v.processes).length ? Object.keys(v.processes) : ["web"];
}

/** tsuru: an empty process means the app's only process; several processes need -p. */
export function resolveProcess(v: Pick<AppVersionRecord, "processes">, process: string): string {
  const names = versionProcesses(v);
  if (process) {
    if (!names.includes(process))
      throw new BadRequestError(`Process "${process}" not found: this app has ${names.join(", ")}.`);
    return process;
  }
  if (names.length > 1)
    throw new BadRequestError(`You must choose a process with -p: this app has ${names.join(", ")}.`);
  return names[0]!;
}

/**
 * Rolling `v` out: each of its processes keeps its recorded count (a new one starts with 1),
 * processes it no longer has go. Returns the units each process wants.
 */
export async function recordDeployIntent(
  t: Store,
  app: string,
  v: Pick<AppVersionRecord, "processes">,
): Promise<Record<string, number>> {
  const names = versionProcesses(v);
  const rows = new Map((await t.listAppProcesses(app)).map((p) => [p.process, p]));
  const counts: Record<string, number> = {};
  for (const name of names) {
    const row = rows.get(name) ?? { app, process: name, units: 1, stopped: false };
    if (!rows.has(name)) await t.setAppProcess(row);
    counts[name] = row.stopped ? 0 : row.units;
  }
  // Processes the new Procfile dropped go away with their units.
  for (const name of rows.keys()) if (!names.includes(name)) await t.deleteAppProcess(app, name);
  return counts;
}

/** A change of one process's desired units: what it was (to undo a failed convergence) and is. */
export interface UnitsIntent {
  before: AppProcessRecord | null;
  after: AppProcessRecord;
}

async function setCount(
  t: Store,
  app: string,
  process: string,
  units: (live: number) => number,
): Promise<UnitsIntent> {
  const before = (await t.listAppProcesses(app)).find((p) => p.process === process) ?? null;
  const live = (await t.listUnits({ app, process })).filter((u) => u.status !== "removing").length;
  const after = { app, process, units: units(live), stopped: false };
  await t.setAppProcess(after);
  return { before, after };
}

/** `n` more units (unit add); a stopped process starts with just those. */
export function recordAddUnits(t: Store, app: string, process: string, n: number): Promise<UnitsIntent> {
  return setCount(t, app, process, (live) => live + n);
}

/** `n` fewer units (unit remove): a 400 when the process has fewer. */
export function recordRemoveUnits(t: Store, app: string, process: string, n: number): Promise<UnitsIntent> {
  return setCount(t, app, process, (live) => {
    if (n > live)
      throw new BadRequestError(`cannot remove ${n} units from process "${process}", only ${live} available`);
    return live - n;
  });
}

/** Exactly `n` units (autoscaling). */
export function recordSetUnits(t: Store, app: string, process: string, n: number): Promise<UnitsIntent> {
  if (!Number.isInteger(n) || n < 0)
    throw new BadRequestError(`Invalid number of units ${n}: use a whole number of at least 0.`);
  return setCount(t, app, process, () => n);
}

/** Puts a process's intent back as it was (a convergence that failed before serving it). */
export async function restoreUnits(t: Store, i: UnitsIntent): Promise<void> {
  if (i.before) await t.setAppProcess(i.before);
  else await t.deleteAppProcess(i.after.app, i.after.process);
}

/** Stopped: no unit runs; the count stays for start. */
export async function recordStop(t: Store, app: string, processes: readonly string[]): Promise<void> {
  const rows = await t.listAppProcesses(app);
  for (const process of processes) {
    const cur = rows.find((p) => p.process === process);
    const units = cur?.units ?? (await t.listUnits({ app, process })).length;
    await t.setAppProcess({ app, process, units, stopped: true });
  }
}

/** Started again with the recorded count (at least 1). Returns the processes that were stopped. */
export async function recordStart(
  t: Store,
  app: string,
  processes: readonly string[],
): Promise<Record<string, number>> {
  const rows = await t.listAppProcesses(app);
  const started: Record<string, number> = {};
  for (const process of processes) {
    const cur = rows.find((p) => p.process === process);
    if (cur && !cur.stopped) continue;
    started[process] = Math.max(cur?.units ?? 1, 1);
    await t.setAppProcess({ app, process, units: started[process], stopped: false });
  }
  return started;
}

/**
 * A new restart generation: units of an older one get replaced. For one process, the other
 * processes' units are stamped with the new generation (they need no restart).
 */
export async function recordRestart(
  t: Pick<StoreOps, "bumpRestartGen" | "listUnits" | "updateUnit">,
  app: string,
  process: string,
): Promise<number> {
  const gen = await t.bumpRestartGen(app);
  if (process)
    for (const u of await t.listUnits({ app }))
      if (u.process !== process && u.status !== "removing") await t.updateUnit(u.id, { restartGen: gen });
  return gen;
}
