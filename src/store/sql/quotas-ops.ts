// Quotas. Apps per user and apps per team are counted, not kept: in use = the apps the user
// owns / the team owns, and a creation checks the count inside its own transaction. So a
// creation updates no shared counter row, and on PostgreSQL concurrent creations by one user
// or in one team don't queue on that row's lock (they used to: every creation held it until
// COMMIT). Exactness comes from locks only limited subjects take (see checkAppQuota).
// Units per app keep a counter, changed with single conditional UPDATEs.
import { NotFoundError, QuotaExceededError } from "../errors.js";
import type { AppCountSubject, Quota, StoreOps } from "../types.js";
import { type Db, num } from "./db.js";

type QuotaOps = Pick<
  StoreOps,
  "getQuota" | "checkAppQuota" | "reserveQuota" | "releaseQuota" | "setQuotaLimit" | "setQuotaInUse"
>;

/** Where a counted subject's limit lives and which apps column names it. */
const COUNTED: Record<AppCountSubject, { table: string; key: string; appColumn: string }> = {
  user: { table: "users", key: "email", appColumn: "owner" },
  team: { table: "teams", key: "name", appColumn: "team_owner" },
};

export function quotaOps(db: Db): QuotaOps {
  const pg = db.dialect === "postgres";
  const countApps = async (subject: AppCountSubject, name: string): Promise<number> => {
    const r = await db.get(`SELECT COUNT(*) AS n FROM apps WHERE ${COUNTED[subject].appColumn} = ?`, [name]);
    return num(r?.n ?? 0);
  };
  const limitOf = async (subject: AppCountSubject, name: string, lock = ""): Promise<number | null> => {
    const { table, key } = COUNTED[subject];
    const r = await db.get(`SELECT quota_limit FROM ${table} WHERE ${key} = ?${lock}`, [name]);
    return r ? num(r.quota_limit) : null;
  };
  async function unitQuota(name: string): Promise<Quota> {
    const r = await db.get("SELECT quota_limit, quota_inuse FROM apps WHERE name = ?", [name]);
    if (!r) throw new NotFoundError("app", name);
    return { limit: num(r.quota_limit), inUse: num(r.quota_inuse) };
  }

  return {
    async getQuota(subject, name) {
      if (subject === "app") return unitQuota(name);
      const limit = await limitOf(subject, name);
      if (limit === null) throw new NotFoundError(subject, name);
      return { limit, inUse: await countApps(subject, name) };
    },
    async checkAppQuota(subject, name) {
      // FOR SHARE: concurrent creations share the row lock (none waits for another), while
      // setQuotaLimit's UPDATE waits for them, so a limit never changes under a creation that
      // read the old one. SQLite has one writer: its transactions are serial already.
      const limit = await limitOf(subject, name, pg ? " FOR SHARE" : "");
      if (limit === null || limit < 0) return; // no such owner, or unlimited: nothing to count
      // A limited subject's creations are serialized from here to COMMIT, so each counts the
      // apps the others committed (READ COMMITTED takes a fresh snapshot per statement).
      // The key is per schema, like the store's other advisory locks.
      if (pg)
        await db.get(
          `SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':wharf-quota-${subject}'), hashtext(?)) AS l`,
          [name],
        );
      const inUse = await countApps(subject, name);
      if (inUse > limit) throw new QuotaExceededError(subject, name, { limit, inUse: inUse - 1 }, 1);
    },
    async reserveQuota(_subject, name, n = 1) {
      // One round trip with RETURNING: on PostgreSQL the row stays locked until COMMIT.
      const r = await db.get(
        `UPDATE apps SET quota_inuse = quota_inuse + ?
         WHERE name = ? AND (quota_limit < 0 OR quota_inuse + ? <= quota_limit)
         RETURNING quota_limit, quota_inuse`,
        [n, name, n],
      );
      if (r) return { limit: num(r.quota_limit), inUse: num(r.quota_inuse) };
      throw new QuotaExceededError("app", name, await unitQuota(name), n);
    },
    async releaseQuota(_subject, name, n = 1) {
      await db.run(
        "UPDATE apps SET quota_inuse = CASE WHEN quota_inuse > ? THEN quota_inuse - ? ELSE 0 END WHERE name = ?",
        [n, n, name],
      );
      return unitQuota(name);
    },
    async setQuotaLimit(subject, name, limit) {
      if (subject === "app") {
        const changed = await db.run(
          "UPDATE apps SET quota_limit = ? WHERE name = ? AND (? < 0 OR quota_inuse <= ?)",
          [limit, name, limit, limit],
        );
        const q = await unitQuota(name);
        if (changed === 0) throw new QuotaExceededError("app", name, q, q.inUse - Math.max(limit, 0));
        return q;
      }
      const { table, key } = COUNTED[subject];
      // FOR UPDATE waits for creations holding FOR SHARE and holds new ones back until COMMIT,
      // so the count is exact. Checked before the write, so a caller may catch the error.
      const old = await limitOf(subject, name, pg ? " FOR UPDATE" : "");
      if (old === null) throw new NotFoundError(subject, name);
      const inUse = await countApps(subject, name);
      if (limit >= 0 && inUse > limit)
        throw new QuotaExceededError(subject, name, { limit: old, inUse }, inUse - limit);
      await db.run(`UPDATE ${table} SET quota_limit = ? WHERE ${key} = ?`, [limit, name]);
      return { limit, inUse };
    },
    async setQuotaInUse(_subject, name, inUse) {
      const changed = await db.run("UPDATE apps SET quota_inuse = ? WHERE name = ?", [
        Math.max(0, inUse),
        name,
      ]);
      if (changed === 0) throw new NotFoundError("app", name);
      return unitQuota(name);
    },
  };
}
