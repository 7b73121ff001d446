// Teams: list/create/update/remove/info. Creating a team makes the creator a member
// through the "team-create" default roles.
import type { Team } from "../../store/types.js";
import { BadRequestError, ForbiddenError, NotFoundError } from "../errors.js";
import { validateTeamName } from "../names.js";
import { teamContext } from "../permissions.js";
import type { Ctx } from "./context.js";
import { authorize, can, isGlobal, memberTeams, permissionsInTeam, type Principal } from "./principal.js";
import { grantDefaultRoles } from "./access.js";
import { mapped } from "./store-errors.js";
import { withEvent } from "./events.js";
import { userView, type UserView } from "./users.js";
import { visiblePools, type PoolView } from "./pools.js";
import { listApps, type MiniApp } from "./apps.js";

export interface TeamListItem {
  name: string;
  tags: string[];
  permissions: string[];
}

/** Outsiders get 404 for a team they can't see, so a team's existence doesn't leak. */
async function visibleTeam(ctx: Ctx, p: Principal, name: string, scheme: string): Promise<Team> {
  const t = await ctx.store.findTeam(name);
  if (!t || !can(p, "team.read", teamContext(name))) throw new NotFoundError(`Team "${name}" not found.`);
  authorize(p, scheme, teamContext(name));
  return t;
}

export async function listTeams(ctx: Ctx, p: Principal): Promise<TeamListItem[]> {
  const teams = isGlobal(p, "team.read")
    ? await ctx.store.listTeams()
    : await ctx.store.listTeams({ names: memberTeams(p) });
  return teams.map((t) => ({ name: t.name, tags: t.tags, permissions: permissionsInTeam(p, t.name) }));
}

export async function createTeam(ctx: Ctx, p: Principal, name: string, tags: string[]): Promise<void> {
  authorize(p, "team.create");
  if (!name) throw new BadRequestError("You must provide the team name.");
  validateTeamName(name);
  await withEvent(
    ctx.store,
    p,
    { kind: "team.create", target: { type: "team", value: name } },
    { instanceId: ctx.settings.instanceId },
    async () => {
      await mapped(() => ctx.store.createTeam({ name, tags, creatorEmail: p.email }));
      if (p.kind === "user") await grantDefaultRoles(ctx.store, "team-create", "user", p.email, name);
      else await grantDefaultRoles(ctx.store, "team-create", "token", p.tokenId, name);
    },
  );
}

export async function updateTeam(
  ctx: Ctx,
  p: Principal,
  name: string,
  patch: { newName: string; tags: string[] | null },
): Promise<void> {
  await visibleTeam(ctx, p, name, "team.update");
  if (patch.newName) validateTeamName(patch.newName);
  await withEvent(
    ctx.store,
    p,
    { kind: "team.update", target: { type: "team", value: name } },
    { instanceId: ctx.settings.instanceId },
    async () => {
      await mapped(() =>
        ctx.store.updateTeam(name, {
          ...(patch.newName && patch.newName !== name ? { newName: patch.newName } : {}),
          ...(patch.tags ? { tags: patch.tags } : {}),
        }),
      );
      if (patch.newName && patch.newName !== name) {
        // Move team-context role bindings to the new name so members keep their access.
        for (const b of await ctx.store.listRoleBindings({ contextValue: name })) {
          const role = await ctx.store.findRole(b.roleName);
          if (role?.contextType !== "team") continue;
          await ctx.store.removeRoleBinding(b);
          await ctx.store.addRoleBinding({ ...b, contextValue: patch.newName }).catch(() => undefined);
        }
      }
    },
  );
}

export async function removeTeam(ctx: Ctx, p: Principal, name: string): Promise<void> {
  await visibleTeam(ctx, p, name, "team.delete");
  const apps = await ctx.store.listApps({ accessibleByTeams: [name] });
  if (apps.length > 0)
    throw new ForbiddenError(
      `This team cannot be removed because it has access to apps and/or service instances. Revoke its access (app-revoke) or remove them first.`,
    );
  await withEvent(
    ctx.store,
    p,
    { kind: "team.delete", target: { type: "team", value: name } },
    { instanceId: ctx.settings.instanceId },
    async () => {
      await mapped(() => ctx.store.deleteTeam(name));
      for (const role of await ctx.store.listRoles())
        if (role.contextType === "team")
          await ctx.store.deleteRoleBindings({ roleName: role.name, contextValue: name });
      await ctx.store.deleteTokens({ team: name });
    },
  );
}

export interface TeamInfo {
  name: string;
  tags: string[];
  users: UserView[];
  pools: PoolView[];
  apps: MiniApp[];
}

export async function teamInfo(ctx: Ctx, p: Principal, name: string): Promise<TeamInfo> {
  const t = await visibleTeam(ctx, p, name, "team.read");
  const emails = new Set<string>();
  for (const b of await ctx.store.listRoleBindings({ subjectType: "user", contextValue: name })) {
    const role = await ctx.store.findRole(b.roleName);
    if (role?.contextType === "team") emails.add(b.subject);
  }
  const users = await Promise.all([...emails].sort().map((e) => userView(ctx.store, e)));
  const pools = await visiblePools(ctx, p, [name]);
  const apps = await listApps(ctx, p, { teamOwner: name, simplified: true });
  return { name: t.name, tags: t.tags, users, pools, apps };
}
