// The healer's decisions, as pure functions of what the store and the nodes report: which
// units a failed node took down, which containers no unit claims, and which started units
// on live nodes have lost their container.
import type { NodeRecord, UnitHealFields, UnitRecord } from "../../../store/types.js";
import type { ManagedUnit } from "../units.js";

/** Started units on nodes the monitor marked unhealthy, by app. */
export function lostUnits(
  nodes: readonly NodeRecord[],
  units: readonly UnitRecord[],
): Map<string, UnitRecord[]> {
  const down = new Set(nodes.filter((n) => n.health.state === "unhealthy").map((n) => n.address));
  const out = new Map<string, UnitRecord[]>();
  for (const u of units) {
    if (u.status !== "started" || !down.has(u.node)) continue;
    out.set(u.app, [...(out.get(u.app) ?? []), u]);
  }
  return out;
}

/** Started units on disabled nodes that still answer (unreachable ones are lost units), by app. */
export function drainingUnits(
  nodes: readonly NodeRecord[],
  units: readonly UnitRecord[],
): Map<string, UnitRecord[]> {
  const disabled = new Set(
    nodes.filter((n) => n.disabled && n.health.state !== "unhealthy").map((n) => n.address),
  );
  const out = new Map<string, UnitRecord[]>();
  for (const u of units) {
    if (u.status !== "started" || !disabled.has(u.node)) continue;
    out.set(u.app, [...(out.get(u.app) ?? []), u]);
  }
  return out;
}

/** What a unit's replacement inherits so app info keeps the slot's crash history. */
export function healHistory(u: UnitRecord): UnitHealFields {
  return {
    restarts: u.restarts,
    lastExitReason: u.lastExitReason,
    lastExitCode: u.lastExitCode,
    lastExitAt: u.lastExitAt,
  };
}

/** How many replacements each (version, process) needs. */
export function replacementCounts(lost: readonly UnitRecord[]): Map<number, Record<string, number>> {
  const out = new Map<number, Record<string, number>>();
  for (const u of lost) {
    const c = out.get(u.version) ?? {};
    c[u.process] = (c[u.process] ?? 0) + 1;
    out.set(u.version, c);
  }
  return out;
}

/**
 * Containers whose unit the store does not know. `known` must be read AFTER the
 * containers were listed: a unit's row is written before its container, so a container
 * seen in the list and missing from a later read really has no row.
 */
export function orphanContainers(
  containers: readonly ManagedUnit[],
  known: ReadonlySet<string>,
): ManagedUnit[] {
  return containers.filter((c) => !known.has(c.unitId));
}

export type UnitVerdict =
  | { unit: UnitRecord; state: "running"; container: ManagedUnit }
  | { unit: UnitRecord; state: "exited"; container: ManagedUnit }
  | { unit: UnitRecord; state: "missing" };

/**
 * Started units on the listed (reachable, healthy) nodes, each with what its container is
 * doing. Units on nodes that were not listed are left out: nothing is known about them.
 */
export function unitVerdicts(
  units: readonly UnitRecord[],
  listed: ReadonlyMap<string, readonly ManagedUnit[]>,
): UnitVerdict[] {
  const out: UnitVerdict[] = [];
  for (const u of units) {
    if (u.status !== "started") continue;
    const containers = listed.get(u.node);
    if (!containers) continue;
    const mine = containers.filter((c) => c.unitId === u.id);
    const c = mine.find((x) => x.containerId === u.containerId) ?? mine[0];
    if (!c) out.push({ unit: u, state: "missing" });
    else if (c.state === "running") out.push({ unit: u, state: "running", container: c });
    // restarting/paused are left alone: Docker or an operator is acting on them.
    else if (c.state === "exited" || c.state === "dead" || c.state === "created")
      out.push({ unit: u, state: "exited", container: c });
  }
  return out;
}

export interface ExitInfo {
  exitCode: number | null;
  oomKilled: boolean;
  error: string;
  finishedAt: string;
}

/** A sentence for events and app info: why the unit stopped. */
export function exitReason(e: ExitInfo | null): string {
  if (!e) return "its container disappeared";
  const parts: string[] = [];
  if (e.oomKilled) parts.push("killed for running out of memory (OOM)");
  else if (e.exitCode !== null) parts.push(`exited with code ${e.exitCode}`);
  else parts.push("stopped");
  if (e.error) parts.push(`(${e.error})`);
  return parts.join(" ");
}
