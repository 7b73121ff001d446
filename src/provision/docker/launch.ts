// Unit lifecycle on the nodes, with the store as the source of truth: a unit's row is
// written (status created) before its container exists, so a crash between the two is
// found and cleaned up on restart; a unit is routable only once it answered its healthcheck.
import { randomBytes } from "node:crypto";
import type { App, AppVersionRecord, Plan, UnitRecord } from "../../store/types.js";
import type { UnitSpec } from "./spec.js";
import { type Healthcheck, waitHealthy } from "./health.js";
import { unitLogs } from "./logs.js";
import { createUnit, listManagedUnits, removeUnit, stopUnit } from "./units.js";
import { loadClusterView, placeUnits } from "./placement.js";
import { crashPoint } from "../../util/crash-point.js";
import type { DockerCtx } from "./context.js";
import { UnitsNotStartedError, WharfError } from "../../domain/errors.js";

/** The port a web process listens on unless the version says otherwise (platforms' default). */
export const DEFAULT_PORT = 8888;

export const newUnitId = (app: string, process: string): string =>
  `${app}-${process}-${randomBytes(4).toString("hex")}`;

export function nodeIp(address: string): string {
  return new URL(address).hostname.replace(/^\[|\]$/g, "");
}

function command(v: AppVersionRecord, process: string): string | string[] | undefined {
  const c = (v.processes as Record<string, unknown>)[process];
  if (Array.isArray(c)) return c.map(String);
  return typeof c === "string" && c.trim() ? c : undefined;
}

export function versionPort(v: AppVersionRecord): number {
  const p = Number(v.manifest.port);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : DEFAULT_PORT;
}

export function versionHealthcheck(v: AppVersionRecord): Healthcheck | undefined {
  const hc = v.manifest.healthcheck as Healthcheck | undefined;
  return hc && typeof hc === "object" && hc.path ? hc : undefined;
}

/** The environment units get: the app's variables (private ones too: units need them). */
async function appEnv(dc: DockerCtx, app: string): Promise<Record<string, string>> {
  const vars = await dc.store.getAppEnv(app);
  return Object.fromEntries(vars.map((v) => [v.name, v.value]));
}

function specFor(u: UnitRecord, v: AppVersionRecord, plan: Plan, env: Record<string, string>): UnitSpec {
  return {
    id: u.id,
    app: u.app,
    process: u.process,
    version: u.version,
    image: v.image,
    ...(v.imageId ? { imageId: v.imageId } : {}),
    command: command(v, u.process),
    env,
    port: versionPort(v),
    nodeAddress: nodeIp(u.node),
    limits: { memory: plan.memory, swap: plan.swap, cpuMilli: plan.cpuMilli },
  };
}

export interface LaunchRequest {
  app: App;
  version: AppVersionRecord;
  /** Units to start per process. */
  counts: Record<string, number>;
  restartGen: number;
  out: (line: string) => void;
  signal?: AbortSignal;
  /** Settles when the version's image can be pulled on this node (a deploy's push); none: now. */
  imageOn?: (node: string) => Promise<void>;
}

/** Places and writes the unit rows (status created) in one transaction. */
async function reserveUnits(dc: DockerCtx, r: LaunchRequest): Promise<UnitRecord[]> {
  return dc.store.tx(async (t) => {
    const state = await loadClusterView(t);
    const plan = await t.getPlan(r.app.plan);
    const { constraints } = await t.getAppRuntime(r.app.name);
    const rows: UnitRecord[] = [];
    for (const [process, n] of Object.entries(r.counts)) {
      if (n <= 0) continue;
      const ids = Array.from({ length: n }, () => newUnitId(r.app.name, process));
      const nodes = placeUnits(
        state,
        { app: r.app.name, process, pool: r.app.pool, memory: plan.memory, constraints },
        ids,
      );
      for (let i = 0; i < ids.length; i++) {
        rows.push(
          await t.createUnit({
            id: ids[i]!,
            app: r.app.name,
            process,
            version: r.version.version,
            node: nodes[i]!,
            containerId: "",
            host: "",
            port: 0,
            status: "created",
            routable: false,
            restartGen: r.restartGen,
            error: "",
          }),
        );
      }
    }
    return rows;
  });
}

/** A process without a port (worker) is healthy when it is still running after a moment. */
async function stillRunning(dc: DockerCtx, u: UnitRecord, containerId: string): Promise<void> {
  await new Promise((res) => setTimeout(res, 1500));
  const info = await dc.engines.engineFor(u.node).containers.inspect(containerId);
  if (!info.State.Running) {
    const lines = await unitLogs(dc.engines.engineFor(u.node), containerId, 10).catch(() => []);
    throw new Error(
      `unit ${u.id} exited (code ${info.State.ExitCode}) right after starting; last log lines:\n${lines.map((l) => `  ${l}`).join("\n")}`,
    );
  }
}

async function startOne(
  dc: DockerCtx,
  u: UnitRecord,
  spec: UnitSpec,
  hc: Healthcheck | undefined,
  r: LaunchRequest,
): Promise<UnitRecord> {
  const engine = dc.engines.engineFor(u.node);
  await r.imageOn?.(u.node);
  const addr = await createUnit(engine, spec, { signal: r.signal });
  const [host, port] = [nodeIp(u.node), addr.hostPort];
  let row = await dc.store.updateUnit(u.id, {
    containerId: addr.containerId,
    host,
    port,
    status: "starting",
  });
  r.out(` ---> Started unit ${u.id} [${u.process}] on ${host}\n`);
  crashPoint("container-created");
  if (u.process === "web") {
    await waitHealthy({
      unitId: u.id,
      address: addr.address,
      ...(hc ? { healthcheck: hc } : {}),
      timeoutMs: dc.settings.healthTimeoutMs,
      // A fresh process usually listens within a few hundred ms: look often.
      intervalMs: 100,
      ...(r.signal ? { signal: r.signal } : {}),
      containerExited: async () => !(await engine.containers.inspect(addr.containerId)).State.Running,
      lastLogs: () => unitLogs(engine, addr.containerId, 10),
    });
  } else {
    await stillRunning(dc, u, addr.containerId);
  }
  row = { ...row, status: "starting" };
  return row;
}

/**
 * Starts new units and waits until each is healthy. They are not routable yet: the caller
 * switches traffic. On any failure every unit started here is removed and the error rethrown.
 */
export async function launchUnits(dc: DockerCtx, r: LaunchRequest): Promise<UnitRecord[]> {
  const rows = await reserveUnits(dc, r);
  if (rows.length === 0) return [];
  const plan = await dc.store.getPlan(r.app.plan);
  const env = await appEnv(dc, r.app.name);
  const hc = versionHealthcheck(r.version);
  r.out(`\n---- Starting ${rows.length} new unit${rows.length === 1 ? "" : "s"} ----\n`);
  const results = await Promise.allSettled(
    rows.map((u) => startOne(dc, u, specFor(u, r.version, plan, env), hc, r)),
  );
  const failed = results.find((x): x is PromiseRejectedResult => x.status === "rejected");
  if (failed) {
    dc.log.warn({ err: failed.reason, app: r.app.name }, "new units could not start; removing them");
    await discardUnits(dc, rows);
    throw asUserFacing(failed.reason, rows.length, r.signal);
  }
  return results.map((x) => (x as PromiseFulfilledResult<UnitRecord>).value);
}

/** Removes units' containers (whatever state) and rows. Missing containers are fine. */
export async function discardUnits(dc: DockerCtx, units: readonly UnitRecord[]): Promise<void> {
  await Promise.all(
    units.map(async (u) => {
      try {
        const engine = dc.engines.engineFor(u.node);
        const ids = u.containerId
          ? [u.containerId]
          : (await listManagedUnits(engine)).filter((m) => m.unitId === u.id).map((m) => m.containerId);
        for (const id of ids) await removeUnit(engine, id);
      } catch (err) {
        // An unreachable node keeps the container; the orphan sweep removes it when it returns.
        dc.log.warn({ err, unit: u.id, node: u.node }, "could not remove a unit's container");
      }
      await dc.store.deleteUnit(u.id);
    }),
  );
}

/** Old units after traffic moved away: drain, SIGTERM, remove. */
export async function retireUnits(
  dc: DockerCtx,
  units: readonly UnitRecord[],
  out: (line: string) => void,
): Promise<void> {
  if (units.length === 0) return;
  if (units.some((u) => u.routable)) await new Promise((res) => setTimeout(res, dc.settings.drainMs));
  out(`\n---- Removing ${units.length} old unit${units.length === 1 ? "" : "s"} ----\n`);
  await Promise.all(
    units.map(async (u) => {
      if (!u.containerId) return;
      try {
        await stopUnit(dc.engines.engineFor(u.node), u.containerId, {
          graceSeconds: dc.settings.stopGraceSeconds,
        });
      } catch (err) {
        dc.log.warn({ err, unit: u.id }, "could not stop a unit");
      }
    }),
  );
  await discardUnits(dc, units);
}

/**
 * A node's own failure (a cut pull, a refused create) said as a sentence the client shows,
 * instead of an internal error; Wharf's own errors and a cancellation pass through as they are.
 */
function asUserFacing(err: unknown, count: number, signal?: AbortSignal): unknown {
  if (err instanceof WharfError || signal?.aborted || !(err instanceof Error)) return err;
  const removed = count === 1 ? "The new unit was" : `The ${count} new units were`;
  return new UnitsNotStartedError(
    `${err.message}. ${removed} removed again and nothing else changed: ` +
      "check the node's health with `wharf node list`, then try again.",
  );
}
