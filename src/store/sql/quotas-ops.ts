// Quota counters (apps per user, apps per team, units per app), changed with single conditional
// UPDATEs so two concurrent reservations can never both pass the limit.
import { NotFoundError, QuotaExceededError } from "../errors.js";
import type { Quota, QuotaSubject, StoreOps } from "../types.js";
import { type Db, num } from "./db.js";

type QuotaOps = Pick<
  StoreOps,
  "getQuota" | "reserveQuota" | "releaseQuota" | "setQuotaLimit" | "setQuotaInUse"
>;

const TABLES: Record<QuotaSubject, { table: string; key: string }> = {
  user: { table: "users", key: "email" },
  team: { table: "teams", key: "name" },
  app: { table: "apps", key: "name" },
};

export function quotaOps(db: Db): QuotaOps {
  async function getQuota(subject: QuotaSubject, name: string): Promise<Quota> {
    const { table, key } = TABLES[subject];
    const r = await db.get(`SELECT quota_limit, quota_inuse FROM ${table} WHERE ${key} = ?`, [name]);
    if (!r) throw new NotFoundError(subject, name);
    return { limit: num(r.quota_limit), inUse: num(r.quota_inuse) };
  }
  return {
    getQuota,
    async reserveQuota(subject, name, n = 1) {
      const { table, key } = TABLES[subject];
      // One round trip with RETURNING: on PostgreSQL the row stays locked until COMMIT, so every
      // statement after this one lengthens the queue of concurrent reservations on the same row.
      const r = await db.get(
        `UPDATE ${table} SET quota_inuse = quota_inuse + ?
         WHERE ${key} = ? AND (quota_limit < 0 OR quota_inuse + ? <= quota_limit)
         RETURNING quota_limit, quota_inuse`,
        [n, name, n],
      );
      if (r) return { limit: num(r.quota_limit), inUse: num(r.quota_inuse) };
      throw new QuotaExceededError(subject, name, await getQuota(subject, name), n);
    },
    async releaseQuota(subject, name, n = 1) {
      const { table, key } = TABLES[subject];
      await db.run(
        `UPDATE ${table} SET quota_inuse = CASE WHEN quota_inuse > ? THEN quota_inuse - ? ELSE 0 END WHERE ${key} = ?`,
        [n, n, name],
      );
      return getQuota(subject, name);
    },
    async setQuotaLimit(subject, name, limit) {
      const { table, key } = TABLES[subject];
      const changed = await db.run(
        `UPDATE ${table} SET quota_limit = ? WHERE ${key} = ? AND (? < 0 OR quota_inuse <= ?)`,
        [limit, name, limit, limit],
      );
      const q = await getQuota(subject, name);
      if (changed === 0) throw new QuotaExceededError(subject, name, q, q.inUse - Math.max(limit, 0));
      return q;
    },
    async setQuotaInUse(subject, name, inUse) {
      const { table, key } = TABLES[subject];
      const changed = await db.run(`UPDATE ${table} SET quota_inuse = ? WHERE ${key} = ?`, [
        Math.max(0, inUse),
        name,
      ]);
      if (changed === 0) throw new NotFoundError(subject, name);
      return getQuota(subject, name);
    },
  };
}
