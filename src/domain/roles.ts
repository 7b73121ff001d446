// Roles bundle permission schemes and are bound to one context type; a user holds a
// role in a concrete context (team "blue", app "web", or global). Default roles are
// handed out on two events: "user-create" (global context) and "team-create" (the new
// team's context, given to the user who created it).
import { ConflictError, BadRequestError } from "./errors.js";
import {
  type ContextType,
  type Permission,
  isContextType,
  isKnownScheme,
  schemeContexts,
} from "./permissions.js";

export interface RoleDef {
  name: string;
  contextType: ContextType;
  description: string;
  schemeNames: string[];
  /** Default-role events: "user-create" | "team-create". */
  events: string[];
}

export interface RoleBinding {
  name: string;
  contextType: ContextType;
  contextValue: string;
}

export const DEFAULT_ROLE_EVENTS = ["user-create", "team-create"] as const;
export type DefaultRoleEvent = (typeof DEFAULT_ROLE_EVENTS)[number];

export function isDefaultRoleEvent(s: string): s is DefaultRoleEvent {
  return (DEFAULT_ROLE_EVENTS as readonly string[]).includes(s);
}

export const ADMIN_ROLE = "AllowAll";
export const TEAM_MEMBER_ROLE = "team-member";
export const USER_ROLE = "user";

/** Roles created on first start. Admins can change them afterwards like any role. */
export function builtinRoles(): RoleDef[] {
  return [
    {
      name: ADMIN_ROLE,
      contextType: "global",
      description: "Every permission on every object",
      schemeNames: [""],
      events: [],
    },
    {
      // What a team member needs to own its apps end to end, but nothing outside the team.
      name: TEAM_MEMBER_ROLE,
      contextType: "team",
      description: "Full access to the team's apps, service instances and tokens",
      schemeNames: ["app", "team", "service-instance", "volume", "webhook"],
      events: ["team-create"],
    },
    {
      name: USER_ROLE,
      contextType: "global",
      description: "Every user may create teams (and becomes a member of them)",
      schemeNames: ["team.create"],
      events: ["user-create"],
    },
  ];
}

/** A user's effective permissions: each role's schemes in the role binding's context. */
export function expandPermissions(
  bindings: readonly RoleBinding[],
  roles: ReadonlyMap<string, RoleDef>,
): Permission[] {
  const out: Permission[] = [];
  for (const b of bindings) {
    const role = roles.get(b.name);
    if (!role) continue; // a removed role grants nothing
    for (const scheme of role.schemeNames)
      out.push({
        scheme,
        context: { type: role.contextType, value: role.contextType === "global" ? "" : b.contextValue },
      });
  }
  return out;
}

export function parseContextType(s: string): ContextType {
  if (!isContextType(s))
    throw new BadRequestError(
      `Invalid context type "${s}": use one of global, app, team, pool, iaas, service, service-instance.`,
    );
  return s;
}

/** tsuru refuses (409) a permission whose scheme can't be bound in the role's context. */
export function validatePermissionForRole(role: RoleDef, scheme: string): void {
  if (!isKnownScheme(scheme))
    throw new BadRequestError(
      `Unknown permission "${scheme}": run "tsuru permission-list" to see valid names.`,
    );
  if (!schemeContexts(scheme).includes(role.contextType))
    throw new ConflictError(
      `Permission "${scheme}" is not allowed with context "${role.contextType}": it accepts ${schemeContexts(scheme).join(", ")}.`,
    );
}

/** A role bound to a non-global context needs a value (which team, which app, ...). */
export function bindingFor(role: RoleDef, contextValue: string): RoleBinding {
  if (role.contextType !== "global" && contextValue === "")
    throw new BadRequestError(
      `Role "${role.name}" is bound to "${role.contextType}" contexts: give the ${role.contextType} name as the context.`,
    );
  return {
    name: role.name,
    contextType: role.contextType,
    contextValue: role.contextType === "global" ? "" : contextValue,
  };
}
