// Users: create (with default roles), remove, list, info, password change/reset, API keys
// and user quotas. Self-service where tsuru allows it; the rest needs user.* permissions.
import type { Store } from "../../store/types.js";
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError } from "../errors.js";
import { validateEmail, validatePassword } from "../names.js";
import { hashPassword, hashToken, newToken, verifyPassword } from "../secrets.js";
import { checkNewLimit } from "../quota.js";
import { contextValues, type Permission } from "../permissions.js";
import type { Ctx } from "./context.js";
import { authorize, can, isGlobal, type Principal } from "./principal.js";
import { bindingsOf, grantDefaultRoles } from "./access.js";
import { mapped } from "./store-errors.js";
import { withEvent } from "./events.js";
import { sealSecret, unsealSecret } from "./sealing.js";

export interface UserView {
  Email: string;
  Roles: { Name: string; ContextType: string; ContextValue: string }[];
  Permissions: { Name: string; ContextType: string; ContextValue: string }[];
}

export async function userView(store: Store, email: string): Promise<UserView> {
  const { bindings, roles } = await bindingsOf(store, "user", email);
  const perms: Permission[] = [];
  for (const b of bindings)
    for (const s of roles.get(b.name)?.schemeNames ?? [])
      perms.push({ scheme: s, context: { type: b.contextType, value: b.contextValue } });
  return {
    Email: email,
    Roles: bindings.map((b) => ({ Name: b.name, ContextType: b.contextType, ContextValue: b.contextValue })),
    Permissions: perms.map((p) => ({
      Name: p.scheme,
      ContextType: p.context.type,
      ContextValue: p.context.value,
    })),
  };
}

/** p is null for anonymous registration (allowed only with userRegistration). */
export async function createUser(
  ctx: Ctx,
  p: Principal | null,
  email: string,
  password: string,
): Promise<void> {
  if (p === null) {
    if (!ctx.settings.userRegistration) throw new UnauthorizedError();
  } else authorize(p, "user.create");
  if (!email) throw new BadRequestError("You must provide an email: tsuru user-create <email>.");
  validateEmail(email);
  validatePassword(password);
  const passwordHash = await hashPassword(password);
  const run = async (): Promise<void> => {
    await mapped(() => ctx.store.createUser({ email, passwordHash }));
    await grantDefaultRoles(ctx.store, "user-create", "user", email, "");
  };
  if (p === null) return run();
  await withEvent(
    ctx.store,
    p,
    { kind: "user.create", target: { type: "user", value: email } },
    opts(ctx),
    run,
  );
}

function opts(ctx: Ctx): { instanceId: string } {
  return { instanceId: ctx.settings.instanceId };
}

export async function removeUser(ctx: Ctx, p: Principal, email: string): Promise<void> {
  const target = email || p.email;
  if (target !== p.email || p.kind !== "user") authorize(p, "user.delete");
  if (!(await ctx.store.findUser(target))) throw new NotFoundError(`User "${target}" not found.`);
  await withEvent(
    ctx.store,
    p,
    { kind: "user.delete", target: { type: "user", value: target } },
    opts(ctx),
    () => mapped(() => ctx.store.deleteUser(target)),
  );
}

export async function userInfo(ctx: Ctx, p: Principal): Promise<UserView> {
  if (p.kind !== "user") throw new BadRequestError("This is a team token: user-info needs a user's token.");
  return userView(ctx.store, p.email);
}

export async function listUsers(
  ctx: Ctx,
  p: Principal,
  f: { email: string; role: string; context: string },
): Promise<UserView[]> {
  let emails: string[];
  if (isGlobal(p, "user")) {
    emails = (await ctx.store.listUsers()).map((u) => u.email);
  } else {
    // Others see themselves and the members of the teams where they hold "team" permissions.
    const teams = contextValues(p.permissions, "team", "team");
    const set = new Set<string>(p.kind === "user" ? [p.email] : []);
    for (const t of teams)
      for (const b of await ctx.store.listRoleBindings({ subjectType: "user", contextValue: t }))
        set.add(b.subject);
    emails = [...set].sort();
  }
  if (f.email) emails = emails.filter((e) => e === f.email);
  const views = await Promise.all(emails.map((e) => userView(ctx.store, e)));
  return views.filter(
    (v) => !f.role || v.Roles.some((r) => r.Name === f.role && (!f.context || r.ContextValue === f.context)),
  );
}

export async function changePassword(
  ctx: Ctx,
  p: Principal,
  f: { old: string; new: string; confirm: string },
): Promise<void> {
  if (p.kind !== "user")
    throw new BadRequestError("This is a team token: change-password needs a user's token.");
  if (!f.old || !f.new) throw new BadRequestError("Both the old and the new password are required.");
  if (f.confirm !== "" && f.confirm !== f.new)
    throw new BadRequestError("New password and password confirmation didn't match.");
  const user = await mapped(() => ctx.store.getUser(p.email));
  if (!(await verifyPassword(f.old, user.passwordHash)))
    throw new ForbiddenError("The given password didn't match the user's current password.");
  validatePassword(f.new);
  const hash = await hashPassword(f.new);
  await withEvent(
    ctx.store,
    p,
    { kind: "user.update.password", target: { type: "user", value: p.email } },
    opts(ctx),
    () => ctx.store.updateUserPassword(p.email, hash),
  );
}

/** The id of a user's API key token (one per user). */
const apiKeyId = (email: string) => `apikey-${email}`;

/**
 * tsuru's token-show: the user's existing API key (sealed in the store next to the hash it
 * authenticates with). A user without one gets one, as tsuru's ShowAPIKey does; so does a key
 * made before keys were sealed, whose secret no longer exists anywhere.
 */
export async function showApiKey(ctx: Ctx, p: Principal, email: string): Promise<string> {
  const target = await apiKeyTarget(ctx, p, email);
  const token = (await ctx.store.listTokens({ userEmail: target, kind: "api-key" }))[0];
  const sealed = token ? await ctx.store.findApiKeySecret(token.tokenId) : null;
  if (sealed) return unsealSecret(ctx, sealed);
  return issueApiKey(ctx, p, target);
}

/** tsuru's token-regenerate: a fresh API key; the old one stops working at once. */
export async function regenerateApiKey(ctx: Ctx, p: Principal, email: string): Promise<string> {
  return issueApiKey(ctx, p, await apiKeyTarget(ctx, p, email));
}

async function apiKeyTarget(ctx: Ctx, p: Principal, email: string): Promise<string> {
  const target = email || p.email;
  if (target !== p.email || p.kind !== "user") authorize(p, "user.update.token");
  if (!(await ctx.store.findUser(target))) throw new NotFoundError(`User "${target}" not found.`);
  return target;
}

async function issueApiKey(ctx: Ctx, p: Principal, target: string): Promise<string> {
  const key = newToken();
  const sealed = sealSecret(ctx, key);
  await withEvent(
    ctx.store,
    p,
    { kind: "user.update.token", target: { type: "user", value: target } },
    opts(ctx),
    () =>
      mapped(() =>
        ctx.store.tx(async (t) => {
          await t.deleteTokens({ userEmail: target, kind: "api-key" });
          await t.createToken({
            tokenId: apiKeyId(target),
            hash: hashToken(key),
            kind: "api-key",
            userEmail: target,
            team: null,
            description: "API key",
            expiresAt: null,
          });
          await t.setApiKeySecret(apiKeyId(target), sealed);
        }),
      ),
  );
  return key;
}

export async function getUserQuota(
  ctx: Ctx,
  p: Principal,
  email: string,
): Promise<{ limit: number; inuse: number }> {
  if (email !== p.email && !can(p, "user.update.quota")) throw new ForbiddenError();
  const q = await mapped(() => ctx.store.getQuota("user", email));
  return { limit: q.limit, inuse: q.inUse };
}

export async function setUserQuota(ctx: Ctx, p: Principal, email: string, limit: number): Promise<void> {
  authorize(p, "user.update.quota");
  const q = await mapped(() => ctx.store.getQuota("user", email));
  checkNewLimit(limit, q.inUse);
  await withEvent(
    ctx.store,
    p,
    { kind: "user.update.quota", target: { type: "user", value: email } },
    opts(ctx),
    () => mapped(() => ctx.store.setQuotaLimit("user", email, limit)),
  );
}
