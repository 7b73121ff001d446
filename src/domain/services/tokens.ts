// Team tokens: API credentials that act for a team (CI pipelines). The secret is shown
// only when created or regenerated; the store keeps its sha256.
import type { Token } from "../../store/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import { validateTokenId } from "../names.js";
import { teamContext } from "../permissions.js";
import { hashToken, newToken, newObjectId } from "../secrets.js";
import type { Ctx } from "./context.js";
import { authorize, can, isGlobal, memberTeams, type Principal } from "./principal.js";
import { grantDefaultRoles } from "./access.js";
import { mapped } from "./store-errors.js";
import { withEvent } from "./events.js";

export const ZERO_TIME = "0001-01-01T00:00:00Z";
export const iso = (d: Date | null): string => (d ? d.toISOString() : ZERO_TIME);

export interface TokenView {
  token: string;
  token_id: string;
  description: string;
  created_at: string;
  expires_at: string;
  last_access: string;
  creator_email: string;
  team: string;
  roles: { name: string; contextvalue: string }[];
}

async function view(ctx: Ctx, t: Token, secret = ""): Promise<TokenView> {
  const bindings = await ctx.store.listRoleBindings({ subjectType: "token", subject: t.tokenId });
  return {
    token: secret,
    token_id: t.tokenId,
    description: t.description,
    created_at: iso(t.createdAt),
    expires_at: iso(t.expiresAt),
    last_access: iso(t.lastAccess),
    creator_email: t.userEmail ?? "",
    team: t.team ?? "",
    roles: bindings.map((b) => ({ name: b.roleName, contextvalue: b.contextValue })),
  };
}

/** Outsiders get 404: another team's token ids don't leak. */
async function visibleToken(ctx: Ctx, p: Principal, id: string, scheme: string): Promise<Token> {
  const t = await ctx.store.getToken(id).catch(() => null);
  if (!t || t.kind !== "team" || !t.team || !can(p, "team.token.read", teamContext(t.team)))
    throw new NotFoundError(`Token "${id}" not found.`);
  authorize(p, scheme, teamContext(t.team));
  return t;
}

function expiry(ctx: Ctx, seconds: number): Date | null {
  return seconds > 0 ? new Date(ctx.now().getTime() + seconds * 1000) : null;
}

export async function createTeamToken(
  ctx: Ctx,
  p: Principal,
  f: { tokenId: string; description: string; expiresIn: number; team: string },
): Promise<TokenView> {
  let team = f.team;
  if (!team) {
    const mine = memberTeams(p);
    if (mine.length !== 1) throw new BadRequestError("You must provide the team for the token (-t TEAM).");
    team = mine[0]!;
  }
  if (!(await ctx.store.findTeam(team)) || !can(p, "team.read", teamContext(team)))
    throw new NotFoundError(`Team "${team}" not found.`);
  authorize(p, "team.token.create", teamContext(team));
  const tokenId = f.tokenId || `${team}-${newObjectId().slice(-12)}`;
  validateTokenId(tokenId);
  const secret = newToken();
  const t = await withEvent(
    ctx.store,
    p,
    { kind: "team.token.create", target: { type: "team", value: team } },
    { instanceId: ctx.settings.instanceId },
    async () => {
      const created = await mapped(() =>
        ctx.store.createToken({
          tokenId,
          hash: hashToken(secret),
          kind: "team",
          userEmail: p.email || null,
          team,
          description: f.description,
          expiresAt: expiry(ctx, f.expiresIn),
        }),
      );
      await grantDefaultRoles(ctx.store, "team-create", "token", tokenId, team);
      return created;
    },
  );
  return view(ctx, t, secret);
}

export async function listTeamTokens(ctx: Ctx, p: Principal): Promise<TokenView[]> {
  const all = await ctx.store.listTokens({ kind: "team" });
  const visible = isGlobal(p, "team.token.read")
    ? all
    : all.filter((t) => t.team && can(p, "team.token.read", teamContext(t.team)));
  return Promise.all(visible.map((t) => view(ctx, t)));
}

export async function tokenInfo(ctx: Ctx, p: Principal, id: string): Promise<TokenView> {
  return view(ctx, await visibleToken(ctx, p, id, "team.token.read"));
}

export async function updateTeamToken(
  ctx: Ctx,
  p: Principal,
  id: string,
  f: { regenerate: boolean; description: string | null; expiresIn: number },
): Promise<TokenView> {
  const t = await visibleToken(ctx, p, id, "team.token.update");
  const secret = f.regenerate ? newToken() : "";
  const updated = await withEvent(
    ctx.store,
    p,
    { kind: "team.token.update", target: { type: "team", value: t.team ?? "" } },
    { instanceId: ctx.settings.instanceId },
    () =>
      mapped(() =>
        ctx.store.updateToken(id, {
          ...(secret ? { hash: hashToken(secret) } : {}),
          ...(f.description !== null ? { description: f.description } : {}),
          ...(f.expiresIn > 0
            ? { expiresAt: expiry(ctx, f.expiresIn) }
            : f.expiresIn < 0
              ? { expiresAt: null }
              : {}),
        }),
      ),
  );
  return view(ctx, updated, secret);
}

export async function deleteTeamToken(ctx: Ctx, p: Principal, id: string): Promise<void> {
  const t = await visibleToken(ctx, p, id, "team.token.delete");
  await withEvent(
    ctx.store,
    p,
    { kind: "team.token.delete", target: { type: "team", value: t.team ?? "" } },
    { instanceId: ctx.settings.instanceId },
    () => mapped(() => ctx.store.deleteToken(id)),
  );
}
