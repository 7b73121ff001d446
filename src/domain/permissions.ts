// tsuru's dotted permission tree. A permission on a node grants every node below it
// ("app" grants "app.update.env.set"); the root "" grants everything. Each node
// declares which context types a role holding it may be bound to; children inherit
// their parent's contexts unless the tree overrides them, and "global" is always allowed.

export type ContextType = "global" | "app" | "team" | "pool" | "iaas" | "service" | "service-instance";
export const CONTEXT_TYPES: readonly ContextType[] = [
  "global",
  "app",
  "team",
  "pool",
  "iaas",
  "service",
  "service-instance",
];

export function isContextType(s: string): s is ContextType {
  return (CONTEXT_TYPES as readonly string[]).includes(s);
}

export interface PermissionContext {
  type: ContextType;
  value: string;
}

/** One permission a user holds: a scheme (dotted name) in a context. */
export interface Permission {
  scheme: string;
  context: PermissionContext;
}

export interface PermissionScheme {
  name: string;
  contexts: ContextType[];
}

// [subtree root, its contexts (without global)], then the leaves below it. Mirrors tsuru
// 1.8's registry so `permission-list` shows a familiar tree.
const TREE: Array<[string, ContextType[] | null, string[]]> = [
  ["app", ["app", "team", "pool"], []],
  ["app.create", ["team"], []],
  [
    "app",
    null,
    [
      "update.description",
      "update.tags",
      "update.log",
      "update.pool",
      "update.platform",
      "update.image-reset",
      "update.unit.add",
      "update.unit.remove",
      "update.unit.register",
      "update.unit.status",
      "update.unit.autoscale.add",
      "update.unit.autoscale.remove",
      "update.env.set",
      "update.env.unset",
      "update.restart",
      "update.sleep",
      "update.start",
      "update.stop",
      "update.swap",
      "update.grant",
      "update.revoke",
      "update.teamowner",
      "update.cname.add",
      "update.cname.remove",
      "update.plan",
      "update.bind",
      "update.events",
      "update.unbind",
      "update.router.add",
      "update.router.update",
      "update.router.remove",
      "update.certificate.set",
      "update.certificate.unset",
      "deploy",
      "deploy.archive-url",
      "deploy.build",
      "deploy.git",
      "deploy.image",
      "deploy.rollback",
      "deploy.upload",
      "read",
      "read.deploy",
      "read.env",
      "read.events",
      "read.metric",
      "read.log",
      "read.certificate",
      "read.router",
      "delete",
      "run",
      "admin.unlock",
      "admin.routes",
      "admin.quota",
    ],
  ],
  ["node", ["pool"], ["create", "read", "update", "delete", "autoscale"]],
  [
    "machine",
    ["iaas"],
    [
      "create",
      "delete",
      "read",
      "update.events",
      "read.events",
      "template.create",
      "template.delete",
      "template.update",
      "template.read",
    ],
  ],
  ["team", ["team"], []],
  ["team.create", [], []],
  [
    "team",
    null,
    [
      "read",
      "read.events",
      "delete",
      "update",
      "update.events",
      "token.create",
      "token.read",
      "token.update",
      "token.delete",
    ],
  ],
  [
    "user",
    [],
    [
      "create",
      "delete",
      "list",
      "read.events",
      "update.token",
      "update.events",
      "update.quota",
      "update.password",
      "update.reset",
      "update.key.add",
      "update.key.remove",
    ],
  ],
  ["service", ["service", "team"], []],
  ["service.create", ["team"], []],
  [
    "service",
    null,
    [
      "read.doc",
      "read.plans",
      "read.events",
      "update.proxy",
      "update.events",
      "update.revoke-access",
      "update.grant-access",
      "update.doc",
      "delete",
    ],
  ],
  ["service-instance", ["service-instance", "team"], []],
  ["service-instance.create", ["team"], []],
  [
    "service-instance",
    null,
    [
      "read",
      "read.events",
      "read.status",
      "delete",
      "update.events",
      "update.proxy",
      "update.bind",
      "update.unbind",
      "update.grant",
      "update.revoke",
      "update.description",
      "update.tags",
      "update.teamowner",
      "update.plan",
    ],
  ],
  [
    "role",
    [],
    [
      "create",
      "delete",
      "read",
      "read.events",
      "update",
      "update.events",
      "update.assign",
      "update.dissociate",
      "update.permission.add",
      "update.permission.remove",
      "default.create",
      "default.delete",
    ],
  ],
  ["platform", [], ["create", "delete", "update", "read"]],
  ["plan", [], ["create", "delete", "read"]],
  ["pool", ["pool"], []],
  ["pool.create", [], []],
  [
    "pool",
    null,
    [
      "read",
      "read.events",
      "update",
      "update.team.add",
      "update.team.remove",
      "update.events",
      "update.logs",
      "update.constraints.set",
      "delete",
    ],
  ],
  ["event-block", [], ["read", "add", "remove"]],
  ["cluster", [], ["admin", "read", "create", "update", "delete"]],
  ["volume", ["team", "pool"], ["create", "read", "update", "delete", "update.bind", "update.unbind"]],
  ["webhook", ["team"], ["create", "read", "update", "delete"]],
  ["router", [], ["create", "read", "update", "delete"]],
  ["debug", [], []],
  ["healing", ["pool"], ["read", "update"]],
  ["nodecontainer", ["pool"], ["create", "read", "update", "update.upgrade", "delete"]],
];

function build(): Map<string, ContextType[]> {
  const ctx = new Map<string, ContextType[]>();
  ctx.set("", ["global"]);
  const ensure = (name: string, own: ContextType[] | null): void => {
    const parts = name.split(".");
    for (let i = 1; i <= parts.length; i++) {
      const n = parts.slice(0, i).join(".");
      const isTarget = i === parts.length;
      if (isTarget && own !== null) {
        ctx.set(n, ["global", ...own]);
      } else if (!ctx.has(n)) {
        const parent = parts.slice(0, i - 1).join(".");
        ctx.set(n, [...(ctx.get(parent) ?? ["global"])]);
      }
    }
  };
  for (const [root, own, leaves] of TREE) {
    ensure(root, own);
    for (const leaf of leaves) ensure(`${root}.${leaf}`, null);
  }
  return ctx;
}

const REGISTRY = build();

/** Every permission scheme, the root ("") first, then parents before children. */
export function listPermissionSchemes(): PermissionScheme[] {
  return [...REGISTRY.entries()]
    .map(([name, contexts]) => ({ name, contexts: [...contexts] }))
    .sort((a, b) =>
      a.name === "" ? -1 : b.name === "" ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
}

export function isKnownScheme(name: string): boolean {
  return REGISTRY.has(name);
}

export function schemeContexts(name: string): ContextType[] {
  return [...(REGISTRY.get(name) ?? [])];
}

/** True when `held` is `wanted` or one of its ancestors ("" is everyone's ancestor). */
export function schemeCovers(held: string, wanted: string): boolean {
  return held === "" || held === wanted || wanted.startsWith(`${held}.`);
}

/**
 * Does the user (holding `perms`) have `scheme` in any of `contexts`? A global grant
 * matches everything; otherwise the grant's context must equal one of the target's
 * contexts (an app is reachable through its own name, its teams and its pool).
 */
export function check(
  perms: readonly Permission[],
  scheme: string,
  contexts: readonly PermissionContext[] = [],
): boolean {
  for (const p of perms) {
    if (!schemeCovers(p.scheme, scheme)) continue;
    if (p.context.type === "global") return true;
    for (const c of contexts) if (c.type === p.context.type && c.value === p.context.value) return true;
  }
  return false;
}

/**
 * The contexts in which the user holds `scheme`; a global grant is returned as a global
 * context. Used to filter lists ("apps of the teams where I have app.read").
 */
export function contextsFor(perms: readonly Permission[], scheme: string): PermissionContext[] {
  const out: PermissionContext[] = [];
  const seen = new Set<string>();
  for (const p of perms) {
    if (!schemeCovers(p.scheme, scheme)) continue;
    const key = `${p.context.type}\u0000${p.context.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...p.context });
  }
  return out;
}

export function hasGlobal(perms: readonly Permission[], scheme: string): boolean {
  return contextsFor(perms, scheme).some((c) => c.type === "global");
}

/** Values of `type` contexts in which the user holds `scheme` (e.g. team names). */
export function contextValues(perms: readonly Permission[], scheme: string, type: ContextType): string[] {
  return contextsFor(perms, scheme)
    .filter((c) => c.type === type)
    .map((c) => c.value);
}

export function appContexts(app: {
  name: string;
  teams: readonly string[];
  pool: string;
}): PermissionContext[] {
  return [
    { type: "app", value: app.name },
    ...app.teams.map((t) => ({ type: "team" as const, value: t })),
    { type: "pool", value: app.pool },
  ];
}

export function teamContext(team: string): PermissionContext[] {
  return [{ type: "team", value: team }];
}

export function poolContext(pool: string): PermissionContext[] {
  return [{ type: "pool", value: pool }];
}
