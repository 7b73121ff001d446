// Deploy state: app versions (images), desired units per process, the routable version,
// and units (one row per container, written before the container exists so a crash in
// between is found and cleaned up by the reconciler).
import { ConflictError, NotFoundError } from "../errors.js";
import type { AppVersionRecord, CapacityShortage, StoreOps, UnitRecord } from "../types.js";
import { markRoute, unitChangeRoutes } from "../routes.js";
import {
  type Db,
  type Param,
  type Row,
  Where,
  bool,
  fromJson,
  fromMs,
  fromMsOrNull,
  num,
  str,
  toJson,
} from "./db.js";

type DeployOps = Pick<
  StoreOps,
  | "createAppVersion"
  | "findAppVersion"
  | "listAppVersions"
  | "updateAppVersion"
  | "failBuildingVersions"
  | "deleteAppVersion"
  | "listAppProcesses"
  | "setAppProcess"
  | "deleteAppProcess"
  | "getAppRuntime"
  | "setRoutableVersion"
  | "bumpRestartGen"
  | "setAppConstraints"
  | "setAppCapacity"
  | "listCapacityShortages"
  | "createUnit"
  | "findUnit"
  | "listUnits"
  | "updateUnit"
  | "deleteUnit"
>;

const versionRow = (r: Row): AppVersionRecord => ({
  app: str(r.app),
  version: num(r.version),
  status: str(r.status) as AppVersionRecord["status"],
  image: str(r.image),
  imageId: str(r.image_id),
  processes: fromJson<Record<string, string>>(r.processes, {}),
  manifest: fromJson<Record<string, unknown>>(r.manifest, {}),
  origin: str(r.origin),
  message: str(r.message),
  owner: str(r.owner),
  eventId: str(r.event_id),
  error: str(r.error),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

const unitRow = (r: Row): UnitRecord => ({
  id: str(r.id),
  app: str(r.app),
  process: str(r.process),
  version: num(r.version),
  node: str(r.node),
  containerId: str(r.container_id),
  host: str(r.host),
  port: num(r.port),
  status: str(r.status) as UnitRecord["status"],
  routable: bool(r.routable),
  restartGen: num(r.restart_gen),
  error: str(r.error),
  restarts: num(r.restarts ?? 0),
  lastExitReason: str(r.last_exit_reason),
  lastExitCode: r.last_exit_code === null || r.last_exit_code === undefined ? null : num(r.last_exit_code),
  lastExitAt: fromMsOrNull(r.last_exit_at),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

const capacityOf = (r: Row): CapacityShortage | null =>
  num(r.capacity_missing ?? 0) > 0
    ? {
        missing: num(r.capacity_missing),
        reason: str(r.capacity_reason),
        since: fromMsOrNull(r.capacity_since) ?? new Date(0),
      }
    : null;

export function deployOps(db: Db): DeployOps {
  const findAppVersion = async (app: string, version: number) => {
    const r = await db.get("SELECT * FROM app_versions WHERE app = ? AND version = ?", [app, version]);
    return r ? versionRow(r) : null;
  };
  const findUnit = async (id: string) => {
    const r = await db.get("SELECT * FROM units WHERE id = ?", [id]);
    return r ? unitRow(r) : null;
  };
  const ensureRuntime = (app: string) =>
    db.run("INSERT INTO app_runtime (app) VALUES (?) ON CONFLICT DO NOTHING", [app]);
  return {
    findAppVersion,
    async createAppVersion(v) {
      const now = Date.now();
      // Versions only grow, even past deleted (pruned) ones: max over the table.
      const last = await db.get<{ v: unknown }>("SELECT MAX(version) AS v FROM app_versions WHERE app = ?", [
        v.app,
      ]);
      const version = num(last?.v ?? 0) + 1;
      const inserted = await db.run(
        `INSERT INTO app_versions (app, version, status, origin, message, owner, event_id, created_at, updated_at)
         VALUES (?, ?, 'building', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [v.app, version, v.origin, v.message, v.owner, v.eventId, now, now],
      );
      if (inserted === 0) throw new ConflictError(`version ${version} of ${v.app} exists`, "version", v.app);
      return (await findAppVersion(v.app, version))!;
    },
    async listAppVersions(app, filter = {}) {
      const w = new Where().add("app = ?", app);
      if (filter.status) w.add("status = ?", filter.status);
      const rows = await db.all(`SELECT * FROM app_versions ${w} ORDER BY version DESC`, w.params);
      return rows.map(versionRow);
    },
    async updateAppVersion(app, version, patch) {
      const sets: string[] = ["updated_at = ?"];
      const params: Param[] = [Date.now()];
      const set = (col: string, v: Param) => {
        sets.push(`${col} = ?`);
        params.push(v);
      };
      if (patch.status !== undefined) set("status", patch.status);
      if (patch.image !== undefined) set("image", patch.image);
      if (patch.imageId !== undefined) set("image_id", patch.imageId);
      if (patch.processes !== undefined) set("processes", toJson(patch.processes));
      if (patch.manifest !== undefined) set("manifest", toJson(patch.manifest));
      if (patch.error !== undefined) set("error", patch.error);
      const n = await db.run(`UPDATE app_versions SET ${sets.join(", ")} WHERE app = ? AND version = ?`, [
        ...params,
        app,
        version,
      ]);
      if (n === 0) throw new NotFoundError("version", `${app} v${version}`);
    },
    async failBuildingVersions(error) {
      return db.run(
        "UPDATE app_versions SET status = 'failed', error = ?, updated_at = ? WHERE status = 'building'",
        [error, Date.now()],
      );
    },
    async deleteAppVersion(app, version) {
      await db.run("DELETE FROM app_versions WHERE app = ? AND version = ?", [app, version]);
    },
    async listAppProcesses(app) {
      const rows = await db.all("SELECT * FROM app_processes WHERE app = ? ORDER BY process", [app]);
      return rows.map((r) => ({
        app: str(r.app),
        process: str(r.process),
        units: num(r.units),
        stopped: bool(r.stopped),
      }));
    },
    async setAppProcess(p) {
      await db.run(
        `INSERT INTO app_processes (app, process, units, stopped) VALUES (?, ?, ?, ?)
         ON CONFLICT (app, process) DO UPDATE SET units = excluded.units, stopped = excluded.stopped`,
        [p.app, p.process, p.units, p.stopped],
      );
    },
    async deleteAppProcess(app, process) {
      await db.run("DELETE FROM app_processes WHERE app = ? AND process = ?", [app, process]);
    },
    async getAppRuntime(app) {
      const r = await db.get("SELECT * FROM app_runtime WHERE app = ?", [app]);
      return {
        app,
        routableVersion: r ? num(r.routable_version) : 0,
        restartGen: r ? num(r.restart_gen) : 0,
        constraints: r ? fromJson<string[]>(r.constraints, []) : [],
        capacity: r ? capacityOf(r) : null,
      };
    },
    async setAppCapacity(app, c) {
      await ensureRuntime(app);
      await db.run(
        "UPDATE app_runtime SET capacity_missing = ?, capacity_reason = ?, capacity_since = ? WHERE app = ?",
        c ? [c.missing, c.reason, c.since.getTime(), app] : [0, "", null, app],
      );
    },
    async listCapacityShortages() {
      const rows = await db.all("SELECT * FROM app_runtime WHERE capacity_missing > 0 ORDER BY app");
      return rows.map((r) => ({ app: str(r.app), ...capacityOf(r)! }));
    },
    async setRoutableVersion(app, version) {
      markRoute(db, app);
      await ensureRuntime(app);
      await db.run("UPDATE app_runtime SET routable_version = ? WHERE app = ?", [version, app]);
    },
    async setAppConstraints(app, constraints) {
      await ensureRuntime(app);
      await db.run("UPDATE app_runtime SET constraints = ? WHERE app = ?", [toJson(constraints), app]);
    },
    async bumpRestartGen(app) {
      await ensureRuntime(app);
      await db.run("UPDATE app_runtime SET restart_gen = restart_gen + 1 WHERE app = ?", [app]);
      const r = await db.get<{ g: unknown }>("SELECT restart_gen AS g FROM app_runtime WHERE app = ?", [app]);
      return num(r?.g ?? 0);
    },
    findUnit,
    async createUnit(u) {
      const now = Date.now();
      const inserted = await db.run(
        `INSERT INTO units (id, app, process, version, node, container_id, host, port, status, routable, restart_gen,
                            error, restarts, last_exit_reason, last_exit_code, last_exit_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          u.id,
          u.app,
          u.process,
          u.version,
          u.node,
          u.containerId,
          u.host,
          u.port,
          u.status,
          u.routable,
          u.restartGen,
          u.error,
          u.restarts ?? 0,
          u.lastExitReason ?? "",
          u.lastExitCode ?? null,
          u.lastExitAt ? u.lastExitAt.getTime() : null,
          now,
          now,
        ],
      );
      if (inserted === 0) throw new ConflictError(`unit ${u.id} exists`, "unit", u.id);
      if (u.routable && u.status === "started") markRoute(db, u.app);
      return (await findUnit(u.id))!;
    },
    async listUnits(filter = {}) {
      const w = new Where();
      if (filter.app !== undefined) w.add("app = ?", filter.app);
      if (filter.process !== undefined) w.add("process = ?", filter.process);
      if (filter.node !== undefined) w.add("node = ?", filter.node);
      if (filter.routable !== undefined) w.add("routable = ?", filter.routable);
      if (filter.status !== undefined) w.in("status", filter.status);
      const rows = await db.all(`SELECT * FROM units ${w} ORDER BY app, process, created_at, id`, w.params);
      return rows.map(unitRow);
    },
    async updateUnit(id, patch) {
      const sets: string[] = ["updated_at = ?"];
      const params: Param[] = [Date.now()];
      const set = (col: string, v: Param) => {
        sets.push(`${col} = ?`);
        params.push(v);
      };
      if (patch.containerId !== undefined) set("container_id", patch.containerId);
      if (patch.host !== undefined) set("host", patch.host);
      if (patch.port !== undefined) set("port", patch.port);
      if (patch.status !== undefined) set("status", patch.status);
      if (patch.routable !== undefined) set("routable", patch.routable);
      if (patch.error !== undefined) set("error", patch.error);
      if (patch.restartGen !== undefined) set("restart_gen", patch.restartGen);
      if (patch.restarts !== undefined) set("restarts", patch.restarts);
      if (patch.lastExitReason !== undefined) set("last_exit_reason", patch.lastExitReason);
      if (patch.lastExitCode !== undefined) set("last_exit_code", patch.lastExitCode);
      if (patch.lastExitAt !== undefined)
        set("last_exit_at", patch.lastExitAt ? patch.lastExitAt.getTime() : null);
      const n = await db.run(`UPDATE units SET ${sets.join(", ")} WHERE id = ?`, [...params, id]);
      if (n === 0) throw new NotFoundError("unit", id);
      const row = (await findUnit(id))!;
      if (unitChangeRoutes(patch, row)) markRoute(db, row.app);
      return row;
    },
    async deleteUnit(id) {
      const gone = await db.get<{ app: unknown; routable: unknown }>(
        "DELETE FROM units WHERE id = ? RETURNING app, routable",
        [id],
      );
      if (gone && bool(gone.routable)) markRoute(db, str(gone.app));
    },
  };
}
