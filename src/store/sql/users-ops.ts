// Users and tokens. Tokens hold only a hash of their secret.
import { ConflictError, NotFoundError } from "../errors.js";
import type { StoreOps, Token, TokenKind, User } from "../types.js";
import { type Db, type Row, Where, fromMs, fromMsOrNull, num, str, toMs } from "./db.js";

type UserOps = Pick<
  StoreOps,
  "createUser" | "getUser" | "findUser" | "listUsers" | "updateUserPassword" | "deleteUser"
>;
type TokenOps = Pick<
  StoreOps,
  | "createToken"
  | "getToken"
  | "findTokenByHash"
  | "listTokens"
  | "updateToken"
  | "touchToken"
  | "deleteToken"
  | "deleteTokens"
>;

const userRow = (r: Row): User => ({
  email: str(r.email),
  passwordHash: str(r.password_hash),
  createdAt: fromMs(r.created_at),
  quota: { limit: num(r.quota_limit), inUse: num(r.quota_inuse) },
});

const tokenRow = (r: Row): Token => ({
  tokenId: str(r.token_id),
  hash: str(r.hash),
  kind: str(r.kind) as TokenKind,
  userEmail: r.user_email === null ? null : str(r.user_email),
  team: r.team === null ? null : str(r.team),
  description: str(r.description),
  createdAt: fromMs(r.created_at),
  expiresAt: fromMsOrNull(r.expires_at),
  lastAccess: fromMsOrNull(r.last_access),
});

export function userOps(db: Db): UserOps {
  const findUser = async (email: string) => {
    const r = await db.get("SELECT * FROM users WHERE email = ?", [email]);
    return r ? userRow(r) : null;
  };
  return {
    async createUser(u) {
      const n = await db.run(
        `INSERT INTO users (email, password_hash, created_at, quota_limit, quota_inuse)
         VALUES (?, ?, ?, ?, 0) ON CONFLICT DO NOTHING`,
        [u.email, u.passwordHash, toMs(u.createdAt ?? new Date()), u.quotaLimit ?? -1],
      );
      if (n === 0) throw new ConflictError(`user "${u.email}" already exists`, "user", u.email);
      return (await findUser(u.email))!;
    },
    async getUser(email) {
      const u = await findUser(email);
      if (!u) throw new NotFoundError("user", email);
      return u;
    },
    findUser,
    async listUsers(filter = {}) {
      const w = new Where();
      if (filter.emails) w.in("email", filter.emails);
      return (await db.all(`SELECT * FROM users ${w} ORDER BY email`, w.params)).map(userRow);
    },
    async updateUserPassword(email, passwordHash) {
      const n = await db.run("UPDATE users SET password_hash = ? WHERE email = ?", [passwordHash, email]);
      if (n === 0) throw new NotFoundError("user", email);
    },
    async deleteUser(email) {
      // Bindings are keyed by subject, not a foreign key (subjects are users or tokens).
      await db.run(
        `DELETE FROM role_bindings WHERE subject_type = 'token'
           AND subject IN (SELECT token_id FROM tokens WHERE user_email = ? AND kind <> 'team')`,
        [email],
      );
      await db.run("DELETE FROM role_bindings WHERE subject_type = 'user' AND subject = ?", [email]);
      await db.run("DELETE FROM tokens WHERE user_email = ? AND kind <> 'team'", [email]);
      const n = await db.run("DELETE FROM users WHERE email = ?", [email]);
      if (n === 0) throw new NotFoundError("user", email);
    },
  };
}

export function tokenOps(db: Db): TokenOps {
  const getToken = async (tokenId: string) => {
    const r = await db.get("SELECT * FROM tokens WHERE token_id = ?", [tokenId]);
    if (!r) throw new NotFoundError("token", tokenId);
    return tokenRow(r);
  };
  const filterWhere = (f: { userEmail?: string; team?: string; kind?: TokenKind }) => {
    const w = new Where();
    if (f.userEmail !== undefined) w.add("user_email = ?", f.userEmail);
    if (f.team !== undefined) w.add("team = ?", f.team);
    if (f.kind !== undefined) w.add("kind = ?", f.kind);
    return w;
  };
  return {
    async createToken(t) {
      if (t.userEmail !== null && !(await db.get("SELECT 1 AS x FROM users WHERE email = ?", [t.userEmail])))
        throw new NotFoundError("user", t.userEmail);
      if (t.team !== null && !(await db.get("SELECT 1 AS x FROM teams WHERE name = ?", [t.team])))
        throw new NotFoundError("team", t.team);
      const n = await db.run(
        `INSERT INTO tokens (token_id, hash, kind, user_email, team, description, created_at, expires_at, last_access)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING`,
        [
          t.tokenId,
          t.hash,
          t.kind,
          t.userEmail,
          t.team,
          t.description,
          toMs(t.createdAt ?? new Date()),
          toMs(t.expiresAt),
        ],
      );
      // Never put the hash in the message: it is a secret's fingerprint.
      if (n === 0) throw new ConflictError(`token "${t.tokenId}" already exists`, "token", t.tokenId);
      return getToken(t.tokenId);
    },
    getToken,
    async findTokenByHash(hash) {
      const r = await db.get("SELECT * FROM tokens WHERE hash = ?", [hash]);
      return r ? tokenRow(r) : null;
    },
    async listTokens(filter = {}) {
      const w = filterWhere(filter);
      return (await db.all(`SELECT * FROM tokens ${w} ORDER BY created_at, token_id`, w.params)).map(
        tokenRow,
      );
    },
    async updateToken(tokenId, patch) {
      const cur = await getToken(tokenId);
      const n = await db.run(
        `UPDATE tokens SET hash = ?, description = ?, expires_at = ? WHERE token_id = ? AND NOT EXISTS
           (SELECT 1 FROM tokens o WHERE o.hash = ? AND o.token_id <> ?)`,
        [
          patch.hash ?? cur.hash,
          patch.description ?? cur.description,
          toMs(patch.expiresAt === undefined ? cur.expiresAt : patch.expiresAt),
          tokenId,
          patch.hash ?? cur.hash,
          tokenId,
        ],
      );
      if (n === 0) throw new ConflictError("token hash collision; regenerate again", "token", tokenId);
      return getToken(tokenId);
    },
    async touchToken(tokenId, at = new Date()) {
      await db.run("UPDATE tokens SET last_access = ? WHERE token_id = ?", [toMs(at), tokenId]);
    },
    async deleteToken(tokenId) {
      await db.run("DELETE FROM role_bindings WHERE subject_type = 'token' AND subject = ?", [tokenId]);
      const n = await db.run("DELETE FROM tokens WHERE token_id = ?", [tokenId]);
      if (n === 0) throw new NotFoundError("token", tokenId);
    },
    async deleteTokens(filter) {
      const w = filterWhere(filter);
      if (w.parts.length === 0) throw new Error("deleteTokens needs a filter");
      await db.run(
        `DELETE FROM role_bindings WHERE subject_type = 'token' AND subject IN (SELECT token_id FROM tokens ${w})`,
        w.params,
      );
      return db.run(`DELETE FROM tokens ${w}`, w.params);
    },
  };
}
