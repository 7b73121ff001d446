// Teams, roles and role bindings.
import { ConflictError, NotFoundError } from "../errors.js";
import type { Role, RoleBinding, RoleContextType, StoreOps, Team } from "../types.js";
import { type Db, type Row, Where, fromJson, fromMs, num, str, toJson, toMs } from "./db.js";

type TeamOps = Pick<
  StoreOps,
  "createTeam" | "getTeam" | "findTeam" | "listTeams" | "updateTeam" | "deleteTeam"
>;
type RoleOps = Pick<
  StoreOps,
  | "createRole"
  | "getRole"
  | "findRole"
  | "listRoles"
  | "updateRole"
  | "deleteRole"
  | "addRoleBinding"
  | "removeRoleBinding"
  | "listRoleBindings"
  | "deleteRoleBindings"
>;

const teamRow = (r: Row): Team => ({
  name: str(r.name),
  tags: fromJson<string[]>(r.tags, []),
  creatorEmail: str(r.creator_email),
  createdAt: fromMs(r.created_at),
  quota: { limit: num(r.quota_limit), inUse: num(r.quota_inuse) },
});

const roleRow = (r: Row): Role => ({
  name: str(r.name),
  contextType: str(r.context_type) as RoleContextType,
  description: str(r.description),
  permissions: fromJson<string[]>(r.permissions, []),
  events: fromJson<string[]>(r.events, []),
});

const bindingRow = (r: Row): RoleBinding => ({
  subjectType: str(r.subject_type) as RoleBinding["subjectType"],
  subject: str(r.subject),
  roleName: str(r.role_name),
  contextValue: str(r.context_value),
});

export function teamOps(db: Db): TeamOps {
  const findTeam = async (name: string) => {
    const r = await db.get("SELECT * FROM teams WHERE name = ?", [name]);
    return r ? teamRow(r) : null;
  };
  const getTeam = async (name: string) => {
    const t = await findTeam(name);
    if (!t) throw new NotFoundError("team", name);
    return t;
  };
  return {
    async createTeam(t) {
      const n = await db.run(
        `INSERT INTO teams (name, tags, creator_email, created_at, quota_limit, quota_inuse)
         VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT DO NOTHING`,
        [t.name, toJson(t.tags ?? []), t.creatorEmail, toMs(new Date()), t.quotaLimit ?? -1],
      );
      if (n === 0) throw new ConflictError(`team "${t.name}" already exists`, "team", t.name);
      return getTeam(t.name);
    },
    getTeam,
    findTeam,
    async listTeams(filter = {}) {
      const w = new Where();
      if (filter.names) w.in("name", filter.names);
      return (await db.all(`SELECT * FROM teams ${w} ORDER BY name`, w.params)).map(teamRow);
    },
    async updateTeam(name, patch) {
      const cur = await getTeam(name);
      const newName = patch.newName ?? name;
      if (newName !== name && (await findTeam(newName)))
        throw new ConflictError(`team "${newName}" already exists`, "team", newName);
      // Foreign keys cascade the rename to apps, app access and team tokens; team-context role
      // bindings name the team in a plain column, so they follow here.
      await db.run("UPDATE teams SET name = ?, tags = ? WHERE name = ?", [
        newName,
        toJson(patch.tags ?? cur.tags),
        name,
      ]);
      if (newName !== name) {
        await db.run(
          `UPDATE role_bindings SET context_value = ? WHERE context_value = ?
             AND role_name IN (SELECT name FROM roles WHERE context_type = 'team')`,
          [newName, name],
        );
      }
      return getTeam(newName);
    },
    async deleteTeam(name) {
      await getTeam(name);
      const used = await db.get<{ app: string }>(
        `SELECT app FROM app_teams WHERE team = ? UNION SELECT name AS app FROM apps WHERE team_owner = ?`,
        [name, name],
      );
      if (used) throw new ConflictError(`team "${name}" still has access to app "${used.app}"`, "team", name);
      await db.run(
        `DELETE FROM role_bindings WHERE context_value = ?
           AND role_name IN (SELECT name FROM roles WHERE context_type = 'team')`,
        [name],
      );
      await db.run(
        "DELETE FROM role_bindings WHERE subject_type = 'token' AND subject IN (SELECT token_id FROM tokens WHERE team = ?)",
        [name],
      );
      await db.run("DELETE FROM tokens WHERE team = ?", [name]);
      await db.run("DELETE FROM teams WHERE name = ?", [name]);
    },
  };
}

function bindingWhere(f: Partial<RoleBinding>): Where {
  const w = new Where();
  if (f.subjectType !== undefined) w.add("subject_type = ?", f.subjectType);
  if (f.subject !== undefined) w.add("subject = ?", f.subject);
  if (f.roleName !== undefined) w.add("role_name = ?", f.roleName);
  if (f.contextValue !== undefined) w.add("context_value = ?", f.contextValue);
  return w;
}

export function roleOps(db: Db): RoleOps {
  const findRole = async (name: string) => {
    const r = await db.get("SELECT * FROM roles WHERE name = ?", [name]);
    return r ? roleRow(r) : null;
  };
  const getRole = async (name: string) => {
    const r = await findRole(name);
    if (!r) throw new NotFoundError("role", name);
    return r;
  };
  return {
    async createRole(r) {
      const n = await db.run(
        `INSERT INTO roles (name, context_type, description, permissions, events)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [r.name, r.contextType, r.description ?? "", toJson(r.permissions ?? []), toJson(r.events ?? [])],
      );
      if (n === 0) throw new ConflictError(`role "${r.name}" already exists`, "role", r.name);
      return getRole(r.name);
    },
    getRole,
    findRole,
    async listRoles(filter = {}) {
      const w = new Where();
      if (filter.names) w.in("name", filter.names);
      const roles = (await db.all(`SELECT * FROM roles ${w} ORDER BY name`, w.params)).map(roleRow);
      // events is a small JSON list; filtering here keeps the SQL identical in both dialects.
      return filter.event === undefined ? roles : roles.filter((r) => r.events.includes(filter.event!));
    },
    async updateRole(name, patch) {
      const cur = await getRole(name);
      const newName = patch.newName || name;
      if (newName !== name && (await findRole(newName)))
        throw new ConflictError(`role "${newName}" already exists`, "role", newName);
      // role_bindings.role_name references roles ON UPDATE CASCADE.
      await db.run(
        "UPDATE roles SET name = ?, context_type = ?, description = ?, permissions = ?, events = ? WHERE name = ?",
        [
          newName,
          patch.contextType ?? cur.contextType,
          patch.description ?? cur.description,
          toJson(patch.permissions ?? cur.permissions),
          toJson(patch.events ?? cur.events),
          name,
        ],
      );
      return getRole(newName);
    },
    async deleteRole(name) {
      // Bindings go with the role (ON DELETE CASCADE); the "still held" 412 is the domain's call.
      const n = await db.run("DELETE FROM roles WHERE name = ?", [name]);
      if (n === 0) throw new NotFoundError("role", name);
    },
    async addRoleBinding(b) {
      await getRole(b.roleName);
      const n = await db.run(
        `INSERT INTO role_bindings (subject_type, subject, role_name, context_value)
         VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [b.subjectType, b.subject, b.roleName, b.contextValue],
      );
      if (n === 0)
        throw new ConflictError(
          `${b.subject} already has role "${b.roleName}"${b.contextValue ? ` in "${b.contextValue}"` : ""}`,
          "role-binding",
          b.roleName,
        );
    },
    async removeRoleBinding(b) {
      const n = await db.run(
        "DELETE FROM role_bindings WHERE subject_type = ? AND subject = ? AND role_name = ? AND context_value = ?",
        [b.subjectType, b.subject, b.roleName, b.contextValue],
      );
      if (n === 0) throw new NotFoundError("role binding", `${b.roleName}/${b.subject}/${b.contextValue}`);
    },
    async listRoleBindings(filter = {}) {
      const w = bindingWhere(filter);
      return (
        await db.all(
          `SELECT * FROM role_bindings ${w} ORDER BY subject_type, subject, role_name, context_value`,
          w.params,
        )
      ).map(bindingRow);
    },
    async deleteRoleBindings(filter) {
      const w = bindingWhere(filter);
      if (w.parts.length === 0) throw new Error("deleteRoleBindings needs a filter");
      return db.run(`DELETE FROM role_bindings ${w}`, w.params);
    },
  };
}
