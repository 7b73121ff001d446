// Users' SSH public keys, out-of-band password reset tokens (hashes only) and the sealed secret
// of each user API key.
import { ConflictError, NotFoundError } from "../errors.js";
import type { PasswordResetRecord, StoreOps, UserKeyRecord } from "../types.js";
import { type Db, type Row, Where, bool, fromMs, str } from "./db.js";

type AccountOps = Pick<
  StoreOps,
  | "addUserKey"
  | "listUserKeys"
  | "deleteUserKey"
  | "createPasswordReset"
  | "findPasswordReset"
  | "usePasswordReset"
  | "setApiKeySecret"
  | "findApiKeySecret"
>;

const keyRow = (r: Row): UserKeyRecord => ({
  userEmail: str(r.user_email),
  name: str(r.name),
  body: str(r.body),
  fingerprint: str(r.fingerprint),
  createdAt: fromMs(r.created_at),
});

const resetRow = (r: Row): PasswordResetRecord => ({
  tokenHash: str(r.token_hash),
  userEmail: str(r.user_email),
  createdAt: fromMs(r.created_at),
  expiresAt: fromMs(r.expires_at),
  used: bool(r.used),
});

export function accountOps(db: Db): AccountOps {
  return {
    async addUserKey(k, opts = {}) {
      const owner = await db.get("SELECT user_email, name FROM user_keys WHERE fingerprint = ?", [
        k.fingerprint,
      ]);
      const same = owner && str(owner.user_email) === k.userEmail && str(owner.name) === k.name;
      if (owner && !same) throw new ConflictError("this key is already registered", "key", k.fingerprint);
      if (opts.replace)
        await db.run("DELETE FROM user_keys WHERE user_email = ? AND name = ?", [k.userEmail, k.name]);
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO user_keys (user_email, name, body, fingerprint, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        [k.userEmail, k.name, k.body, k.fingerprint, now],
      );
      if (n === 0) throw new ConflictError(`key "${k.name}" already exists`, "key-name", k.name);
      return { ...k, createdAt: new Date(now) };
    },
    async listUserKeys(filter = {}) {
      const w = new Where();
      if (filter.userEmail !== undefined) w.add("user_email = ?", filter.userEmail);
      if (filter.fingerprint !== undefined) w.add("fingerprint = ?", filter.fingerprint);
      return (await db.all(`SELECT * FROM user_keys ${w} ORDER BY user_email, name`, w.params)).map(keyRow);
    },
    async deleteUserKey(userEmail, name) {
      const n = await db.run("DELETE FROM user_keys WHERE user_email = ? AND name = ?", [userEmail, name]);
      if (n === 0) throw new NotFoundError("key", name);
    },
    async createPasswordReset(r) {
      await db.run(
        "INSERT INTO password_resets (token_hash, user_email, created_at, expires_at, used) VALUES (?, ?, ?, ?, ?)",
        [r.tokenHash, r.userEmail, Date.now(), r.expiresAt.getTime(), false],
      );
    },
    async findPasswordReset(tokenHash) {
      const r = await db.get("SELECT * FROM password_resets WHERE token_hash = ?", [tokenHash]);
      return r ? resetRow(r) : null;
    },
    async usePasswordReset(tokenHash) {
      const n = await db.run("UPDATE password_resets SET used = ? WHERE token_hash = ? AND used = ?", [
        true,
        tokenHash,
        false,
      ]);
      return n === 1;
    },
    async setApiKeySecret(tokenId, sealed) {
      await db.run(
        `INSERT INTO api_key_secrets (token_id, sealed) VALUES (?, ?)
         ON CONFLICT (token_id) DO UPDATE SET sealed = excluded.sealed`,
        [tokenId, sealed],
      );
    },
    async findApiKeySecret(tokenId) {
      const r = await db.get("SELECT sealed FROM api_key_secrets WHERE token_id = ?", [tokenId]);
      return r ? str(r.sealed) : null;
    },
  };
}
