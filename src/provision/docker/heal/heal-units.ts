// Unit healing: a started unit on a healthy node whose container exited, was OOM-killed or
// disappeared gets a replacement (a new unit the scheduler places, like tsuru's container
// healer), switched in for the dead one. Attempts follow the unit's crash-loop backoff;
// each one is a `healer` event on the app carrying the restart count and exit reason.
import type { NodeRecord, UnitRecord } from "../../../store/types.js";
import type { DockerCtx } from "../context.js";
import { launchUnits } from "../launch.js";
import { type ManagedUnit, listManagedUnits, removeUnit } from "../units.js";
import { unitLogs } from "../logs.js";
import { type ExitInfo, type UnitVerdict, exitReason, orphanContainers, unitVerdicts } from "./heal-plan.js";
import type { HealEvent } from "./app-queue.js";

export interface UnitScan {
  verdicts: UnitVerdict[];
  orphans: Array<{ node: string; container: ManagedUnit }>;
  /** Every unit id the store knew after the listing. */
  known: Set<string>;
  /** Nodes that could not be listed, with the error. */
  errors: Array<{ node: string; error: string }>;
}

/**
 * How long a pass waits for one node's container list. A node that just went away may
 * still count as healthy; waiting out the engine client's own timeout would hold up every
 * other node's healing. A node not listed in time is simply not judged this pass.
 */
export const LIST_TIMEOUT_MS = 1500;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Lists unit containers on every healthy node and compares them with the store. */
export async function scanUnits(
  dc: DockerCtx,
  nodes: readonly NodeRecord[],
  listTimeoutMs = LIST_TIMEOUT_MS,
): Promise<UnitScan> {
  const store = dc.store;
  // Started units are read BEFORE listing (a unit started after the listing would look
  // missing) and all units AFTER it (a container seen with no row is then an orphan).
  const before = await store.listUnits({ status: ["started"] });
  const listed = new Map<string, ManagedUnit[]>();
  const errors: UnitScan["errors"] = [];
  await Promise.all(
    nodes
      .filter((n) => n.health.state === "healthy")
      .map(async (n) => {
        try {
          const list = listManagedUnits(dc.engines.engineFor(n.address));
          list.catch(() => undefined); // a late failure after the timeout is not unhandled
          listed.set(n.address, await within(list, listTimeoutMs, `node ${n.address}`));
        } catch (err) {
          errors.push({ node: n.address, error: (err as Error).message });
        }
      }),
  );
  const after = await store.listUnits();
  const known = new Set(after.map((u) => u.id));
  const stillStarted = new Set(after.filter((u) => u.status === "started").map((u) => u.id));
  const orphans: UnitScan["orphans"] = [];
  for (const [node, cs] of listed)
    for (const c of orphanContainers(cs, known)) orphans.push({ node, container: c });
  return {
    verdicts: unitVerdicts(
      before.filter((u) => stillStarted.has(u.id)),
      listed,
    ),
    orphans,
    known,
    errors,
  };
}

/** Why the unit's containers stopped, and (with `logLines`) what they last printed. */
async function lastExit(
  dc: DockerCtx,
  u: UnitRecord,
  cs: readonly ManagedUnit[],
  logLines = 10,
): Promise<{ info: ExitInfo | null; lines: string[] }> {
  const engine = dc.engines.engineFor(u.node);
  const c = cs.find((x) => x.containerId === u.containerId) ?? cs[0];
  if (!c) return { info: null, lines: [] };
  try {
    const s = (await engine.containers.inspect(c.containerId)).State;
    const lines = logLines ? await unitLogs(engine, c.containerId, logLines).catch(() => []) : [];
    return {
      info: {
        exitCode: typeof s.ExitCode === "number" ? s.ExitCode : null,
        oomKilled: Boolean(s.OOMKilled),
        error: s.Error ?? "",
        finishedAt: s.FinishedAt ?? "",
      },
      lines,
    };
  } catch {
    return { info: null, lines: [] };
  }
}

/**
 * A started unit just seen down (no lock: it only narrows traffic and writes history): out
 * of the routes at once, rather than after its backoff, and why it stopped on its row, so
 * app info shows it while the replacement waits. Returns the reason.
 */
export async function noteUnitDown(
  dc: DockerCtx,
  u: UnitRecord,
  container: ManagedUnit | undefined,
  now: Date,
): Promise<{ reason: string; exitCode: number | null }> {
  const { info } = await lastExit(dc, u, container ? [container] : [], 0);
  const reason = exitReason(info);
  const exitCode = info?.exitCode ?? null;
  await dc.store.tx(async (t) => {
    const cur = await t.findUnit(u.id);
    if (!cur || cur.status !== "started") return;
    await t.updateUnit(u.id, {
      routable: false,
      lastExitReason: reason,
      lastExitCode: exitCode,
      lastExitAt: now,
    });
  });
  return { reason, exitCode };
}

export interface ReplaceOutcome {
  /** false when there was nothing to do (the unit recovered, moved or went away). */
  acted: boolean;
  reason: string;
  exitCode: number | null;
  oomKilled: boolean;
  replacement?: UnitRecord;
  error?: string;
}

/**
 * Run under the app's lock: checks again that the unit is down, takes it out of the
 * routes, launches a replacement of the same process and version, and switches it in
 * (the dead unit's row and container go). A failed launch leaves the dead unit's row, so
 * the next attempt (after the backoff) finds it again.
 */
export async function replaceUnit(
  dc: DockerCtx,
  unitId: string,
  ev: HealEvent,
  restart: number,
  signal?: AbortSignal,
): Promise<ReplaceOutcome> {
  const store = dc.store;
  const none: ReplaceOutcome = { acted: false, reason: "", exitCode: null, oomKilled: false };
  const u = await store.findUnit(unitId);
  if (!u || u.status !== "started") return none;
  const node = await store.findNode(u.node);
  if (!node || node.health.state !== "healthy") return none;
  const engine = dc.engines.engineFor(u.node);
  const cs = (await listManagedUnits(engine)).filter((c) => c.unitId === u.id);
  if (cs.some((c) => c.state === "running")) return none;
  const { info, lines } = await lastExit(dc, u, cs);
  const reason = exitReason(info);
  const outcome: ReplaceOutcome = {
    acted: true,
    reason,
    exitCode: info?.exitCode ?? null,
    oomKilled: info?.oomKilled ?? false,
  };
  await ev.log(`unit ${u.id} [${u.process}] on ${u.node} ${reason} (restart #${restart})`);
  if (lines.length) await ev.log(`last log lines:\n${lines.map((l) => `  ${l}`).join("\n")}`);
  if (u.routable)
    await store.tx(async (t) => {
      await t.updateUnit(u.id, { routable: false });
    });
  const history = {
    restarts: restart,
    lastExitReason: reason,
    lastExitCode: outcome.exitCode,
    lastExitAt: u.lastExitAt ?? new Date(),
  };
  const app = await store.getApp(u.app);
  const rt = await store.getAppRuntime(u.app);
  const v =
    (await store.findAppVersion(u.app, u.version)) ??
    (rt.routableVersion ? await store.findAppVersion(u.app, rt.routableVersion) : null);
  if (!v || v.status !== "ready") {
    outcome.error = `version v${u.version} of ${u.app} is gone; the unit cannot be replaced`;
    await store.updateUnit(u.id, history).catch(() => undefined);
    return outcome;
  }
  try {
    const [fresh] = await launchUnits(dc, {
      app,
      version: v,
      counts: { [u.process]: 1 },
      restartGen: rt.restartGen,
      out: (line) => void ev.log(line).catch(() => undefined),
      ...(signal ? { signal } : {}),
    });
    await store.tx(async (t) => {
      await t.updateUnit(fresh!.id, {
        status: "started",
        routable: fresh!.process === "web",
        ...history,
      });
      await t.deleteUnit(u.id);
    });
    outcome.replacement = fresh!;
    await ev.log(`unit ${u.id} replaced by ${fresh!.id} on ${fresh!.node}`);
  } catch (err) {
    outcome.error = (err as Error).message;
    await ev.log(`replacement of ${u.id} failed: ${outcome.error}`);
    // The dead unit stays for the next attempt, counting this one.
    await store.updateUnit(u.id, history).catch(() => undefined);
    return outcome;
  }
  for (const c of cs) await removeUnit(engine, c.containerId).catch(() => undefined);
  return outcome;
}

/**
 * A started web unit that lost its route while its node was away and whose container
 * still runs now that the node is back: it serves again.
 */
export async function rerouteRecovered(dc: DockerCtx, units: readonly UnitRecord[]): Promise<number> {
  const back = units.filter((u) => u.process === "web" && !u.routable && u.status === "started");
  const byApp = new Map<string, UnitRecord[]>();
  for (const u of back) byApp.set(u.app, [...(byApp.get(u.app) ?? []), u]);
  for (const list of byApp.values())
    await dc.store.tx(async (t) => {
      // Re-read: a deploy may have retired the unit since the scan.
      for (const u of list) {
        const cur = await t.findUnit(u.id);
        if (cur?.status === "started" && !cur.routable) await t.updateUnit(u.id, { routable: true });
      }
    });
  return back.length;
}
