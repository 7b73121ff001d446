// Loading a subject's permissions from its role bindings.
import type { Role, StoreOps } from "../../store/types.js";
import { expandPermissions, type RoleBinding as DomainBinding, type RoleDef } from "../roles.js";
import type { Permission } from "../permissions.js";

export function toRoleDef(r: Role): RoleDef {
  return {
    name: r.name,
    contextType: r.contextType,
    description: r.description,
    schemeNames: r.permissions,
    events: r.events,
  };
}

export async function bindingsOf(
  store: StoreOps,
  subjectType: "user" | "token",
  subject: string,
): Promise<{ bindings: DomainBinding[]; roles: Map<string, RoleDef> }> {
  const raw = await store.listRoleBindings({ subjectType, subject });
  const names = [...new Set(raw.map((b) => b.roleName))];
  const roles = names.length ? await store.listRoles({ names }) : [];
  const byName = new Map(roles.map((r) => [r.name, toRoleDef(r)]));
  const bindings: DomainBinding[] = [];
  for (const b of raw) {
    const role = byName.get(b.roleName);
    if (role)
      bindings.push({ name: b.roleName, contextType: role.contextType, contextValue: b.contextValue });
  }
  return { bindings, roles: byName };
}

export async function permissionsOf(
  store: StoreOps,
  subjectType: "user" | "token",
  subject: string,
): Promise<Permission[]> {
  const { bindings, roles } = await bindingsOf(store, subjectType, subject);
  return expandPermissions(bindings, roles);
}

/** Give the default roles of `event` to a subject, in `contextValue` ("" for global). */
export async function grantDefaultRoles(
  store: StoreOps,
  event: "user-create" | "team-create",
  subjectType: "user" | "token",
  subject: string,
  contextValue: string,
): Promise<void> {
  const roles = await store.listRoles({ event });
  for (const r of roles) {
    const value = r.contextType === "global" ? "" : contextValue;
    const exists = await store.listRoleBindings({
      subjectType,
      subject,
      roleName: r.name,
      contextValue: value,
    });
    if (exists.length === 0)
      await store.addRoleBinding({ subjectType, subject, roleName: r.name, contextValue: value });
  }
}
