// Roles: create/list/info/remove/update, permissions on roles, assigning roles to users
// and team tokens, default roles and the permission catalogue.
import type { Role } from "../../store/types.js";
import { BadRequestError, NotFoundError, PreconditionFailedError } from "../errors.js";
import { validateRoleName, clip } from "../names.js";
import { listPermissionSchemes } from "../permissions.js";
import { bindingFor, isDefaultRoleEvent, parseContextType, validatePermissionForRole } from "../roles.js";
import type { Ctx } from "./context.js";
import { authorize, type Principal } from "./principal.js";
import { mapped } from "./store-errors.js";
import { withEvent } from "./events.js";
import { toRoleDef } from "./access.js";

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

export interface RoleView {
  name: string;
  context: string;
  Description: string;
  scheme_names: string[];
  events: string[];
}

const view = (r: Role): RoleView => ({
  name: r.name,
  context: r.contextType,
  Description: r.description,
  scheme_names: r.permissions,
  events: r.events,
});

async function getRole(ctx: Ctx, name: string): Promise<Role> {
  const r = await ctx.store.findRole(name);
  if (!r) throw new NotFoundError(`Role "${clip(name)}" not found: run "tsuru role-list" to see the roles.`);
  return r;
}

const roleEvent = (ctx: Ctx, p: Principal, kind: string, role: string, fn: () => Promise<unknown>) =>
  withEvent(ctx.store, p, { kind, target: { type: "role", value: role } }, ev(ctx), async () => {
    await fn();
  });

export async function createRole(
  ctx: Ctx,
  p: Principal,
  f: { name: string; context: string; description: string },
) {
  authorize(p, "role.create");
  if (!f.name) throw new BadRequestError("You must provide the role name.");
  validateRoleName(f.name);
  const contextType = parseContextType(f.context);
  await roleEvent(ctx, p, "role.create", f.name, () =>
    mapped(() => ctx.store.createRole({ name: f.name, contextType, description: f.description })),
  );
}

export async function listRoles(ctx: Ctx, p: Principal): Promise<RoleView[]> {
  authorize(p, "role.read");
  return (await ctx.store.listRoles()).map(view);
}

export async function roleInfo(ctx: Ctx, p: Principal, name: string): Promise<RoleView> {
  authorize(p, "role.read");
  return view(await getRole(ctx, name));
}

export async function removeRole(ctx: Ctx, p: Principal, name: string): Promise<void> {
  authorize(p, "role.delete");
  await getRole(ctx, name);
  const holders = await ctx.store.listRoleBindings({ roleName: name });
  if (holders.length > 0)
    throw new PreconditionFailedError(
      `Role "${name}" is still assigned to ${holders.length} user(s) or token(s): dissociate it first.`,
    );
  await roleEvent(ctx, p, "role.delete", name, () => mapped(() => ctx.store.deleteRole(name)));
}

export async function updateRole(
  ctx: Ctx,
  p: Principal,
  f: { name: string; newName: string; description: string; contextType: string },
): Promise<void> {
  authorize(p, "role.update");
  const role = await getRole(ctx, f.name);
  if (f.newName) validateRoleName(f.newName);
  const patch: Parameters<typeof ctx.store.updateRole>[1] = {};
  if (f.newName && f.newName !== role.name) patch.newName = f.newName;
  if (f.description) patch.description = f.description;
  if (f.contextType) {
    const ct = parseContextType(f.contextType);
    for (const perm of role.permissions)
      validatePermissionForRole({ ...toRoleDef(role), contextType: ct }, perm);
    patch.contextType = ct;
  }
  await roleEvent(ctx, p, "role.update", f.name, () => mapped(() => ctx.store.updateRole(f.name, patch)));
}

export async function addRolePermissions(
  ctx: Ctx,
  p: Principal,
  name: string,
  perms: string[],
): Promise<void> {
  authorize(p, "role.update.permission.add");
  const role = await getRole(ctx, name);
  if (perms.length === 0) throw new BadRequestError("You must provide the permission(s).");
  for (const s of perms) validatePermissionForRole(toRoleDef(role), s);
  await roleEvent(ctx, p, "role.update.permission.add", name, () =>
    mapped(() => ctx.store.updateRole(name, { permissions: [...new Set([...role.permissions, ...perms])] })),
  );
}

export async function removeRolePermission(
  ctx: Ctx,
  p: Principal,
  name: string,
  perm: string,
): Promise<void> {
  authorize(p, "role.update.permission.remove");
  const role = await getRole(ctx, name);
  if (!role.permissions.includes(perm))
    throw new NotFoundError(`Role "${name}" does not have permission "${clip(perm)}".`);
  await roleEvent(ctx, p, "role.update.permission.remove", name, () =>
    mapped(() => ctx.store.updateRole(name, { permissions: role.permissions.filter((x) => x !== perm) })),
  );
}

/**
 * Assign a role. Like tsuru, the caller must hold every permission of the role in the
 * target context, so nobody can hand out more than they have.
 */
export async function assignRole(
  ctx: Ctx,
  p: Principal,
  name: string,
  subject: { type: "user" | "token"; id: string },
  contextValue: string,
  remove: boolean,
): Promise<void> {
  authorize(p, remove ? "role.update.dissociate" : "role.update.assign");
  const role = await getRole(ctx, name);
  const b = bindingFor(toRoleDef(role), contextValue);
  const cx = b.contextType === "global" ? [] : [{ type: b.contextType, value: b.contextValue }];
  for (const s of role.permissions) authorize(p, s, cx);
  if (subject.type === "user") {
    if (!(await ctx.store.findUser(subject.id)))
      throw new NotFoundError(`User "${clip(subject.id)}" not found.`);
  } else {
    const t = await ctx.store.getToken(subject.id).catch(() => null);
    if (!t || t.kind !== "team") throw new NotFoundError(`Token "${clip(subject.id)}" not found.`);
  }
  const binding = {
    subjectType: subject.type,
    subject: subject.id,
    roleName: name,
    contextValue: b.contextValue,
  };
  await roleEvent(ctx, p, remove ? "role.update.dissociate" : "role.update.assign", name, () =>
    mapped(() => (remove ? ctx.store.removeRoleBinding(binding) : ctx.store.addRoleBinding(binding))),
  );
}

export async function listDefaultRoles(ctx: Ctx, p: Principal): Promise<RoleView[]> {
  authorize(p, "role.read");
  return (await ctx.store.listRoles()).filter((r) => r.events.length > 0).map(view);
}

export async function changeDefaultRoles(
  ctx: Ctx,
  p: Principal,
  byEvent: Record<string, string[]>,
  add: boolean,
): Promise<void> {
  authorize(p, add ? "role.default.create" : "role.default.delete");
  const entries = Object.entries(byEvent).filter(([, roles]) => roles.length > 0);
  if (entries.length === 0)
    throw new BadRequestError("You must provide roles for user-create or team-create.");
  for (const [event, roles] of entries) {
    if (!isDefaultRoleEvent(event))
      throw new BadRequestError(`Invalid event "${clip(event)}": use user-create or team-create.`);
    for (const r of roles) await getRole(ctx, r);
  }
  await roleEvent(ctx, p, add ? "role.default.create" : "role.default.delete", "default", async () => {
    for (const [event, roles] of entries)
      for (const r of roles) {
        const role = await ctx.store.getRole(r);
        const events = add ? [...new Set([...role.events, event])] : role.events.filter((e) => e !== event);
        await ctx.store.updateRole(r, { events });
      }
  });
}

export function permissionList(): { Name: string; Contexts: string[] }[] {
  return listPermissionSchemes().map((s) => ({ Name: s.name, Contexts: s.contexts }));
}
