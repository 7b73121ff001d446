// The generic change feed: an append-only table with a strictly increasing seq that readers
// (routers, other servers) follow with changesSince(lastSeen).
import type { Change, StoreOps } from "../types.js";
import { type Db, type Row, fromJson, fromMs, num, str, toJson, toMs } from "./db.js";

type ChangeOps = Pick<StoreOps, "appendChange" | "changesSince" | "latestChangeSeq" | "pruneChanges">;

/** Hooks a driver provides so appends wake subscribers (NOTIFY or an in-process emitter). */
export interface ChangeSignal {
  /** Called inside the appending transaction, before commit (PostgreSQL: the ordering lock + NOTIFY). */
  beforeAppend?(db: Db): Promise<void>;
  afterAppend?(db: Db, seq: number): Promise<void>;
}

const changeRow = (r: Row): Change => ({
  seq: num(r.seq),
  kind: str(r.kind),
  payload: fromJson(r.payload, null),
  createdAt: fromMs(r.created_at),
});

export function changeOps(db: Db, signal: ChangeSignal = {}): ChangeOps {
  return {
    async appendChange(kind, payload) {
      await signal.beforeAppend?.(db);
      const r = await db.get<{ seq: unknown }>(
        "INSERT INTO changes (kind, payload, created_at) VALUES (?, ?, ?) RETURNING seq",
        [kind, toJson(payload), toMs(new Date())],
      );
      const seq = num(r!.seq);
      await signal.afterAppend?.(db, seq);
      return seq;
    },
    async changesSince(seq, limit = 1000) {
      return (await db.all("SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", [seq, limit])).map(
        changeRow,
      );
    },
    async latestChangeSeq() {
      // MAX over the table can go backwards after pruning everything; the sequence state cannot,
      // but reading it differs per dialect, so pruning always keeps the newest row (see below).
      const r = await db.get<{ m: unknown }>("SELECT MAX(seq) AS m FROM changes");
      return r?.m === null || r?.m === undefined ? 0 : num(r.m);
    },
    async pruneChanges(upTo) {
      // Keep the newest row so latestChangeSeq never moves backwards.
      return db.run("DELETE FROM changes WHERE seq <= ? AND seq < (SELECT MAX(seq) FROM changes)", [upTo]);
    },
  };
}
