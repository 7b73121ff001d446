// Who is calling: a user (session or API key) or a team token, with the permissions
// their role bindings expand to. Services authorize against this, never against raw tokens.
import { ForbiddenError } from "../errors.js";
import { check, hasGlobal, type Permission, type PermissionContext } from "../permissions.js";
import type { EventOwner } from "../../store/types.js";

export interface Principal {
  /** "node-agent": a node's agent, which may only report for its node (see api/auth.ts). */
  kind: "user" | "team-token" | "node-agent";
  /** The user's email; for team tokens, the token's creator. */
  email: string;
  tokenId: string;
  /** Team of a team token; null for users. */
  team: string | null;
  permissions: Permission[];
  /** The node a node-agent token reports for. */
  node?: string;
}

export function can(p: Principal, scheme: string, contexts: readonly PermissionContext[] = []): boolean {
  return check(p.permissions, scheme, contexts);
}

/** 403 with tsuru's sentence: no names of the target, so nothing leaks to outsiders. */
export function authorize(p: Principal, scheme: string, contexts: readonly PermissionContext[] = []): void {
  if (!can(p, scheme, contexts)) throw new ForbiddenError();
}

export function isGlobal(p: Principal, scheme: string): boolean {
  return hasGlobal(p.permissions, scheme);
}

export function ownerOf(p: Principal): EventOwner {
  return p.kind === "user" ? { type: "user", name: p.email } : { type: "token", name: p.tokenId };
}

/** Teams in which the principal holds any permission (its "member" teams). */
export function memberTeams(p: Principal): string[] {
  const out = new Set<string>();
  for (const perm of p.permissions) if (perm.context.type === "team") out.add(perm.context.value);
  if (p.team) out.add(p.team);
  return [...out].sort();
}

/** Permission names the principal holds in a team's context (or globally). */
export function permissionsInTeam(p: Principal, team: string): string[] {
  const out = new Set<string>();
  for (const perm of p.permissions)
    if (perm.context.type === "global" || (perm.context.type === "team" && perm.context.value === team))
      out.add(perm.scheme);
  return [...out].sort();
}
