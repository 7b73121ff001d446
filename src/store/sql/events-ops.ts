// Events: the operation log and, through event_locks, the per-target locks.
// A lock is a row in event_locks keyed by (target_type, target_value); the primary key makes
// "at most one running event per target" a database guarantee in both dialects, and the row is
// deleted when the event ends (or is closed as stale).
import { ConflictError, LockedError, NotFoundError } from "../errors.js";
import { newEventId } from "../ids.js";
import type { CancelInfo, EventRecord, EventTarget, StoreOps } from "../types.js";
import { type Db, type Row, Where, bool, fromJson, fromMs, fromMsOrNull, str, toJson, toMs } from "./db.js";

type EventOps = Pick<
  StoreOps,
  | "createEvent"
  | "getEvent"
  | "findEvent"
  | "listEvents"
  | "appendEventLog"
  | "setEventOtherData"
  | "finishEvent"
  | "updateEventCancel"
  | "touchRunningEvents"
  | "closeStaleEvents"
>;

export const STALE_EVENT_ERROR = "server restarted while this operation was running";

interface StoredCancel extends Omit<CancelInfo, "startTime" | "ackTime"> {
  startTime: number | null;
  ackTime: number | null;
}

const NO_CANCEL: StoredCancel = {
  owner: "",
  startTime: null,
  ackTime: null,
  reason: "",
  asked: false,
  canceled: false,
};

function eventRow(r: Row): EventRecord {
  const c = fromJson<StoredCancel>(r.cancel_info, NO_CANCEL);
  return {
    id: str(r.id),
    kind: { type: str(r.kind_type) as EventRecord["kind"]["type"], name: str(r.kind_name) },
    target: { type: str(r.target_type), value: str(r.target_value) },
    extraTargets: fromJson(r.extra_targets, []),
    owner: { type: str(r.owner_type) as EventRecord["owner"]["type"], name: str(r.owner_name) },
    startTime: fromMs(r.start_time),
    endTime: fromMsOrNull(r.end_time),
    running: bool(r.running),
    error: str(r.error),
    log: str(r.log),
    startCustomData: fromJson(r.start_data, null),
    endCustomData: fromJson(r.end_data, null),
    otherCustomData: fromJson(r.other_data, null),
    cancelable: bool(r.cancelable),
    cancelInfo: { ...c, startTime: fromMsOrNull(c.startTime), ackTime: fromMsOrNull(c.ackTime) },
    instanceId: str(r.instance_id),
    lockUpdateTime: fromMs(r.lock_update_time),
  };
}

const targetKey = (t: EventTarget) => `${t.type}\u0000${t.value}`;

export function eventOps(db: Db): EventOps {
  const findEvent = async (id: string) => {
    const r = await db.get("SELECT * FROM events WHERE id = ?", [id]);
    return r ? eventRow(r) : null;
  };
  const getEvent = async (id: string) => {
    const e = await findEvent(id);
    if (!e) throw new NotFoundError("event", id);
    return e;
  };

  /** Insert lock rows; on contention undo our own rows and report the running holder. */
  async function takeLocks(id: string, targets: EventTarget[]): Promise<void> {
    for (const t of targets) {
      // A holder can finish between our failed insert and the lookup: retry a few times.
      for (let attempt = 0; ; attempt++) {
        const n = await db.run(
          "INSERT INTO event_locks (target_type, target_value, event_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
          [t.type, t.value, id],
        );
        if (n === 1) break;
        const holder = await db.get(
          `SELECT e.* FROM event_locks l JOIN events e ON e.id = l.event_id
           WHERE l.target_type = ? AND l.target_value = ?`,
          [t.type, t.value],
        );
        if (holder || attempt >= 5) {
          // Leave the transaction clean for callers that catch LockedError and carry on.
          await db.run("DELETE FROM event_locks WHERE event_id = ?", [id]);
          await db.run("DELETE FROM events WHERE id = ?", [id]);
          if (holder) throw new LockedError(eventRow(holder));
          throw new ConflictError(`${t.type} "${t.value}" is locked`, t.type, t.value);
        }
      }
    }
  }

  /** Ends a running event and frees its locks; undefined when it was not running. */
  async function close(id: string, error: string, endData: unknown, at: Date): Promise<Row | undefined> {
    const params = [false, toMs(at), error, toJson(endData ?? null), toMs(at), id, true];
    const update = `UPDATE events SET running = ?, end_time = ?, error = ?, end_data = ?, lock_update_time = ?
       WHERE id = ? AND running = ? RETURNING *`;
    // PostgreSQL frees the locks in the same statement (one round trip less on every event's
    // end). Only a running event holds locks, so deleting them unconditionally is the same.
    if (db.dialect === "postgres")
      return db.get(`WITH freed AS (DELETE FROM event_locks WHERE event_id = ?) ${update}`, [id, ...params]);
    const row = await db.get(update, params);
    if (row) await db.run("DELETE FROM event_locks WHERE event_id = ?", [id]);
    return row;
  }

  return {
    async createEvent(e) {
      const start = e.startTime ?? new Date();
      const id = e.id ?? newEventId(start);
      const extra = e.extraTargets ?? [];
      const row = await db.get(
        `INSERT INTO events (id, kind_type, kind_name, target_type, target_value, extra_targets, owner_type,
           owner_name, start_time, end_time, running, error, log, start_data, end_data, other_data, cancelable,
           cancel_info, instance_id, lock_update_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, '', '', ?, 'null', 'null', ?, ?, ?, ?) ON CONFLICT DO NOTHING
         RETURNING *`,
        [
          id,
          e.kind.type,
          e.kind.name,
          e.target.type,
          e.target.value,
          toJson(extra),
          e.owner.type,
          e.owner.name,
          toMs(start),
          true,
          toJson(e.startCustomData ?? null),
          !!e.cancelable,
          toJson(NO_CANCEL),
          e.instanceId ?? "",
          toMs(start),
        ],
      );
      if (!row) throw new ConflictError(`event "${id}" already exists`, "event", id);
      const locks = new Map<string, EventTarget>();
      if (e.lock) locks.set(targetKey(e.target), e.target);
      for (const x of extra) if (x.lock) locks.set(targetKey(x.target), x.target);
      // A fixed order: two events locking {A, B} and {B, A} on PostgreSQL would otherwise wait on
      // each other's uncommitted lock rows and deadlock.
      const ordered = [...locks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
      await takeLocks(id, ordered);
      return eventRow(row);
    },
    getEvent,
    findEvent,
    async listEvents(f = {}) {
      const w = new Where();
      if (f.kindNames?.length) w.in("kind_name", f.kindNames);
      if (f.kindType) w.add("kind_type = ?", f.kindType);
      if (f.targetType) w.add("target_type = ?", f.targetType);
      if (f.targetValue) w.add("target_value = ?", f.targetValue);
      if (f.ownerName) w.add("owner_name = ?", f.ownerName);
      if (f.ownerType) w.add("owner_type = ?", f.ownerType);
      // A bare `running` (not `running = ?`) lets both planners use the partial indexes on
      // running events (events_running_target, migration 005).
      if (f.running !== undefined) w.add(f.running ? "running" : "NOT running");
      if (f.errorOnly) w.add("error <> ''");
      if (f.since) w.add("start_time >= ?", toMs(f.since));
      if (f.until) w.add("start_time <= ?", toMs(f.until));
      if (f.allowed) {
        const ors: string[] = [];
        const params: (string | number)[] = [];
        for (const t of f.allowed.targets) {
          ors.push("(target_type = ? AND target_value = ?)");
          params.push(t.type, t.value);
        }
        for (const o of f.allowed.ownerNames ?? []) {
          ors.push("owner_name = ?");
          params.push(o);
        }
        w.add(ors.length ? `(${ors.join(" OR ")})` : "1 = 0", ...params);
      }
      const limit = Math.min(Math.max(f.limit ?? 100, 1), 1000);
      const skip = Math.max(f.skip ?? 0, 0);
      const rows = await db.all(
        `SELECT * FROM events ${w} ORDER BY start_time DESC, id DESC LIMIT ? OFFSET ?`,
        [...w.params, limit, skip],
      );
      return rows.map(eventRow);
    },
    async appendEventLog(id, text) {
      const n = await db.run("UPDATE events SET log = log || ? WHERE id = ?", [text, id]);
      if (n === 0) throw new NotFoundError("event", id);
    },
    async setEventOtherData(id, data) {
      const n = await db.run("UPDATE events SET other_data = ? WHERE id = ?", [toJson(data), id]);
      if (n === 0) throw new NotFoundError("event", id);
    },
    async finishEvent(id, result = {}) {
      const row = await close(id, result.error ?? "", result.endCustomData, result.endTime ?? new Date());
      if (!row) {
        await getEvent(id);
        throw new ConflictError(`event "${id}" has already finished`, "event", id);
      }
      return eventRow(row);
    },
    async updateEventCancel(id, patch) {
      const cur = await getEvent(id);
      const next = { ...cur.cancelInfo, ...patch };
      const stored: StoredCancel = { ...next, startTime: toMs(next.startTime), ackTime: toMs(next.ackTime) };
      await db.run("UPDATE events SET cancel_info = ? WHERE id = ?", [toJson(stored), id]);
      return getEvent(id);
    },
    async touchRunningEvents(instanceId, at = new Date()) {
      // Bare `running` so the partial index events_running (instance_id) WHERE running applies.
      return db.run("UPDATE events SET lock_update_time = ? WHERE running AND instance_id = ?", [
        toMs(at),
        instanceId,
      ]);
    },
    async closeStaleEvents(opts = {}) {
      const w = new Where().add("running");
      // Options combine with OR: a restarting server closes its own events and anyone's whose
      // heartbeat stopped.
      const ors: string[] = [];
      const params: (string | number | null)[] = [];
      if (opts.instanceId !== undefined) {
        ors.push("instance_id = ?");
        params.push(opts.instanceId);
      }
      if (opts.heartbeatBefore) {
        ors.push("lock_update_time < ?");
        params.push(toMs(opts.heartbeatBefore));
      }
      if (ors.length) w.add(`(${ors.join(" OR ")})`, ...params);
      const ids = (
        await db.all<{ id: string }>(`SELECT id FROM events ${w} ORDER BY start_time`, w.params)
      ).map((r) => str(r.id));
      const now = new Date();
      for (const id of ids) await close(id, STALE_EVENT_ERROR, null, now);
      return ids;
    },
  };
}
