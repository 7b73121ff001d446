// Authentication: logins (rate-limited), bearer tokens (stored as sha256 only), the
// first admin, and resolving a bearer token to a Principal.
import type { Store, Token } from "../../store/types.js";
import {
  BadRequestError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  ConflictError,
} from "../errors.js";
import { validateEmail, validatePassword } from "../names.js";
import { hashPassword, hashToken, newToken, verifyPassword, newObjectId } from "../secrets.js";
import { ADMIN_ROLE, builtinRoles } from "../roles.js";
import { AUTH_CACHE_MS, type Ctx } from "./context.js";
import type { Principal } from "./principal.js";
import { grantDefaultRoles, permissionsOf } from "./access.js";
import { mapped } from "./store-errors.js";

/** Don't rewrite last_access on every request: once a minute is plenty and keeps reads cheap. */
const TOUCH_EVERY_MS = 60_000;

export async function authenticate(ctx: Ctx, token: string): Promise<Principal | null> {
  if (!token || token.length > 512) return null;
  const hash = hashToken(token);
  const now = ctx.now();
  const hit = ctx.authCache.get(hash);
  if (hit && hit.until > now.getTime()) return hit.principal;
  const r = await resolve(ctx, hash, now);
  if (!r) return null;
  if (ctx.authCache.size > 10_000) ctx.authCache.clear();
  // Never past the token's own expiry: an expired token is refused at once, cache or not.
  const until = Math.min(now.getTime() + AUTH_CACHE_MS, r.expiresAt?.getTime() ?? Infinity);
  ctx.authCache.set(hash, { principal: r.principal, until });
  return r.principal;
}

async function resolve(
  ctx: Ctx,
  hash: string,
  now: Date,
): Promise<{ principal: Principal; expiresAt: Date | null } | null> {
  const t = await ctx.store.findTokenByHash(hash);
  if (!t) {
    const agent = await nodeAgent(ctx, hash);
    return agent ? { principal: agent, expiresAt: null } : null;
  }
  if (t.expiresAt && t.expiresAt.getTime() <= now.getTime()) return null;
  const principal = await principalOf(ctx, t, now);
  return principal ? { principal, expiresAt: t.expiresAt } : null;
}

async function principalOf(ctx: Ctx, t: Token, now: Date): Promise<Principal | null> {
  if (!t.lastAccess || now.getTime() - t.lastAccess.getTime() > TOUCH_EVERY_MS)
    await ctx.store.touchToken(t.tokenId, now).catch(() => undefined);
  if (t.kind === "team") {
    return {
      kind: "team-token",
      email: t.userEmail ?? "",
      tokenId: t.tokenId,
      team: t.team,
      permissions: await permissionsOf(ctx.store, "token", t.tokenId),
    };
  }
  if (!t.userEmail) return null;
  return {
    kind: "user",
    email: t.userEmail,
    tokenId: t.tokenId,
    team: null,
    permissions: await permissionsOf(ctx.store, "user", t.userEmail),
  };
}

/** A node agent's token: no permissions at all, only the right to report for its node. */
async function nodeAgent(ctx: Ctx, hash: string): Promise<Principal | null> {
  const a = await ctx.store.findNodeAgentByHash(hash);
  if (!a) return null;
  return {
    kind: "node-agent",
    email: "",
    tokenId: `node-agent:${a.node}`,
    team: null,
    permissions: [],
    node: a.node,
  };
}

export async function login(ctx: Ctx, email: string, password: string, address: string): Promise<string> {
  if (!password) throw new BadRequestError("You must provide a password to login.");
  const now = ctx.now().getTime();
  const s = ctx.settings;
  const wait = Math.max(
    ctx.limiter.blockedFor(`user:${email}`, s.loginMaxFailuresPerUser, now),
    ctx.limiter.blockedFor(`addr:${address}`, s.loginMaxFailuresPerAddress, now),
  );
  if (wait > 0)
    throw new TooManyRequestsError(`Too many failed login attempts: try again in ${wait} seconds.`, wait);
  const user = await ctx.store.findUser(email);
  if (!user) {
    ctx.limiter.fail(`addr:${address}`, now);
    throw new NotFoundError("User not found: check the email, or ask an admin to create the user.");
  }
  if (!(await verifyPassword(password, user.passwordHash))) {
    ctx.limiter.fail(`user:${email}`, now);
    ctx.limiter.fail(`addr:${address}`, now);
    throw new UnauthorizedError("Authentication failed, wrong password.");
  }
  ctx.limiter.reset(`user:${email}`);
  return issueSession(ctx, email);
}

export async function issueSession(ctx: Ctx, email: string): Promise<string> {
  const token = newToken();
  await ctx.store.createToken({
    tokenId: `session-${newObjectId()}`,
    hash: hashToken(token),
    kind: "session",
    userEmail: email,
    team: null,
    description: "login session",
    expiresAt: new Date(ctx.now().getTime() + ctx.settings.sessionTtlMs),
  });
  return token;
}

export async function logout(ctx: Ctx, p: Principal): Promise<void> {
  // Only login sessions end here; API keys and team tokens are revoked explicitly.
  if (p.kind !== "user" || !p.tokenId.startsWith("session-")) return;
  await ctx.store.deleteToken(p.tokenId).catch(() => undefined);
}

/** Roles every installation starts with; created when missing, never overwritten. */
export async function ensureBuiltinRoles(store: Store): Promise<void> {
  for (const r of builtinRoles()) {
    if (await store.findRole(r.name)) continue;
    try {
      await store.createRole({
        name: r.name,
        contextType: r.contextType,
        description: r.description,
        permissions: r.schemeNames,
        events: r.events,
      });
    } catch {
      // Another server created it concurrently: fine.
    }
  }
}

/**
 * Create the first admin (for `wharf server init` or WHARF_ADMIN_* on first start).
 * Idempotent for an existing user: makes sure they hold the admin role, and does not
 * change their password. Returns whether the user was created.
 */
export async function initAdmin(
  store: Store,
  email: string,
  password: string,
): Promise<{ created: boolean }> {
  validateEmail(email);
  validatePassword(password);
  await ensureBuiltinRoles(store);
  let created = false;
  if (!(await store.findUser(email))) {
    const passwordHash = await hashPassword(password);
    try {
      await store.createUser({ email, passwordHash });
      created = true;
      await grantDefaultRoles(store, "user-create", "user", email, "");
    } catch (e) {
      if (!(e instanceof Error && e.name === "ConflictError")) throw e;
    }
  }
  const has = await store.listRoleBindings({ subjectType: "user", subject: email, roleName: ADMIN_ROLE });
  if (has.length === 0)
    await mapped(() =>
      store.addRoleBinding({ subjectType: "user", subject: email, roleName: ADMIN_ROLE, contextValue: "" }),
    ).catch((e) => {
      if (!(e instanceof ConflictError)) throw e;
    });
  return { created };
}
