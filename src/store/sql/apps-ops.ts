// Apps with their access list, cnames and environment.
// An app row has no lock column: per-app locks are running events (see events-ops.ts).
import { ConflictError, NotFoundError } from "../errors.js";
import type { App, AppRouter, EnvVar, StoreOps } from "../types.js";
import {
  type Db,
  type Row,
  Where,
  bool,
  fromJson,
  fromMs,
  likeEscape,
  marks,
  num,
  str,
  toJson,
  toMs,
} from "./db.js";
import { markRoute } from "../routes.js";

type AppOps = Pick<
  StoreOps,
  | "createApp"
  | "getApp"
  | "findApp"
  | "listApps"
  | "updateApp"
  | "deleteApp"
  | "republishRoute"
  | "grantAppTeam"
  | "revokeAppTeam"
  | "addAppCnames"
  | "removeAppCnames"
  | "findAppByCname"
  | "getAppEnv"
  | "setAppEnv"
  | "unsetAppEnv"
>;

function appRow(r: Row, teams: string[], cnames: string[]): App {
  return {
    name: str(r.name),
    platform: str(r.platform),
    platformVersion: str(r.platform_version),
    plan: str(r.plan),
    pool: str(r.pool),
    teamOwner: str(r.team_owner),
    teams,
    owner: str(r.owner),
    description: str(r.description),
    tags: fromJson<string[]>(r.tags, []),
    routers: fromJson<AppRouter[]>(r.routers, []),
    cnames,
    quota: { limit: num(r.quota_limit), inUse: num(r.quota_inuse) },
    deploys: num(r.deploys),
    createdAt: fromMs(r.created_at),
    updatedAt: fromMs(r.updated_at),
  };
}

async function assertExists(db: Db, table: string, entity: string, name: string): Promise<void> {
  if (!(await db.get(`SELECT 1 AS x FROM ${table} WHERE name = ?`, [name])))
    throw new NotFoundError(entity, name);
}

/** Checks platform, plan, pool and teams in one round trip (PostgreSQL pays per query). */
async function assertRefs(
  db: Db,
  platform: string,
  plan: string,
  pool: string,
  teams: string[],
): Promise<void> {
  const r = await db.get<Record<string, unknown>>(
    `SELECT (SELECT COUNT(*) FROM platforms WHERE name = ?) AS platform,
            (SELECT COUNT(*) FROM plans WHERE name = ?) AS plan,
            (SELECT COUNT(*) FROM pools WHERE name = ?) AS pool,
            (SELECT COUNT(*) FROM teams WHERE name IN (${marks(teams.length)})) AS teams`,
    [platform, plan, pool, ...teams],
  );
  if (!num(r?.platform)) throw new NotFoundError("platform", platform);
  if (!num(r?.plan)) throw new NotFoundError("plan", plan);
  if (!num(r?.pool)) throw new NotFoundError("pool", pool);
  // Name the missing team.
  if (num(r?.teams) !== teams.length) for (const t of teams) await assertExists(db, "teams", "team", t);
}

const uniq = (xs: string[]) => [...new Set(xs)];

export function appOps(db: Db): AppOps {
  /** Loads access lists and cnames for many apps in two queries (list pages stay cheap). */
  async function hydrate(rows: Row[]): Promise<App[]> {
    if (rows.length === 0) return [];
    const names = rows.map((r) => str(r.name));
    const teams = new Map<string, string[]>();
    const cnames = new Map<string, string[]>();
    for (const n of names) {
      teams.set(n, []);
      cnames.set(n, []);
    }
    const q = marks(names.length);
    for (const r of await db.all(`SELECT app, team FROM app_teams WHERE app IN (${q}) ORDER BY team`, names))
      teams.get(str(r.app))?.push(str(r.team));
    for (const r of await db.all(
      `SELECT app, cname FROM app_cnames WHERE app IN (${q}) ORDER BY cname`,
      names,
    ))
      cnames.get(str(r.app))?.push(str(r.cname));
    return rows.map((r) => appRow(r, teams.get(str(r.name))!, cnames.get(str(r.name))!));
  }
  const findApp = async (name: string) => {
    const r = await db.get("SELECT * FROM apps WHERE name = ?", [name]);
    return r ? (await hydrate([r]))[0]! : null;
  };
  const getApp = async (name: string) => {
    const a = await findApp(name);
    if (!a) throw new NotFoundError("app", name);
    return a;
  };
  async function assertCnamesFree(cnames: string[], app: string): Promise<void> {
    if (cnames.length === 0) return;
    const r = await db.get<{ cname: string; app: string }>(
      `SELECT cname, app FROM app_cnames WHERE cname IN (${marks(cnames.length)}) AND app <> ? LIMIT 1`,
      [...cnames, app],
    );
    if (r) throw new ConflictError(`cname "${r.cname}" already exists`, "cname", r.cname);
  }
  async function insertCnames(app: string, cnames: string[]): Promise<void> {
    for (const c of cnames) {
      const n = await db.run("INSERT INTO app_cnames (cname, app) VALUES (?, ?) ON CONFLICT DO NOTHING", [
        c,
        app,
      ]);
      if (n === 0) {
        const owner = await db.get<{ app: string }>("SELECT app FROM app_cnames WHERE cname = ?", [c]);
        if (owner?.app !== app) throw new ConflictError(`cname "${c}" already exists`, "cname", c);
      }
    }
  }

  return {
    async createApp(a) {
      const teams = uniq([a.teamOwner, ...(a.teams ?? [])]);
      await assertRefs(db, a.platform, a.plan, a.pool, teams);
      const cnames = uniq(a.cnames ?? []);
      // Checked before the insert so a caller that catches the error inside a larger transaction
      // is not left with a half-created app.
      await assertCnamesFree(cnames, a.name);
      const now = toMs(a.createdAt ?? new Date());
      const row = await db.get(
        `INSERT INTO apps (name, platform, platform_version, plan, pool, team_owner, owner, description, tags,
           routers, quota_limit, quota_inuse, deploys, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
        [
          a.name,
          a.platform,
          a.platformVersion ?? "",
          a.plan,
          a.pool,
          a.teamOwner,
          a.owner,
          a.description ?? "",
          toJson(a.tags ?? []),
          toJson(a.routers ?? []),
          a.quotaLimit ?? -1,
          now,
          now,
        ],
      );
      if (!row) throw new ConflictError(`app "${a.name}" already exists`, "app", a.name);
      await db.run(
        `INSERT INTO app_teams (app, team) VALUES ${teams.map(() => "(?, ?)").join(", ")}`,
        teams.flatMap((t) => [a.name, t]),
      );
      await insertCnames(a.name, cnames);
      return appRow(row, [...teams].sort(), [...cnames].sort());
    },
    getApp,
    findApp,
    async listApps(f = {}) {
      const w = new Where();
      if (f.names) w.in("name", f.names);
      if (f.nameContains) w.add("name LIKE ? ESCAPE '\\'", `%${likeEscape(f.nameContains)}%`);
      if (f.pool !== undefined) w.add("pool = ?", f.pool);
      if (f.platform !== undefined) w.add("platform = ?", f.platform);
      if (f.teamOwner !== undefined) w.add("team_owner = ?", f.teamOwner);
      if (f.owner !== undefined) w.add("owner = ?", f.owner);
      if (f.accessibleByTeams) {
        if (f.accessibleByTeams.length === 0) return [];
        w.add(
          `name IN (SELECT app FROM app_teams WHERE team IN (${marks(f.accessibleByTeams.length)}))`,
          ...f.accessibleByTeams,
        );
      }
      const apps = await hydrate(await db.all(`SELECT * FROM apps ${w} ORDER BY name`, w.params));
      // Tags live in a JSON column; "has every tag" is filtered here to keep one SQL for both dialects.
      return f.tags?.length ? apps.filter((a) => f.tags!.every((t) => a.tags.includes(t))) : apps;
    },
    async updateApp(name, p) {
      const cur = await getApp(name);
      if (p.platform !== undefined && p.platform !== cur.platform)
        await assertExists(db, "platforms", "platform", p.platform);
      if (p.plan !== undefined && p.plan !== cur.plan) await assertExists(db, "plans", "plan", p.plan);
      if (p.pool !== undefined && p.pool !== cur.pool) await assertExists(db, "pools", "pool", p.pool);
      if (p.teamOwner !== undefined && p.teamOwner !== cur.teamOwner) {
        await assertExists(db, "teams", "team", p.teamOwner);
        // tsuru gives the new owner team access too.
        await db.run("INSERT INTO app_teams (app, team) VALUES (?, ?) ON CONFLICT DO NOTHING", [
          name,
          p.teamOwner,
        ]);
      }
      await db.run(
        `UPDATE apps SET platform = ?, platform_version = ?, plan = ?, pool = ?, team_owner = ?, description = ?,
           tags = ?, routers = ?, deploys = ?, updated_at = ? WHERE name = ?`,
        [
          p.platform ?? cur.platform,
          p.platformVersion ?? cur.platformVersion,
          p.plan ?? cur.plan,
          p.pool ?? cur.pool,
          p.teamOwner ?? cur.teamOwner,
          p.description ?? cur.description,
          toJson(p.tags ?? cur.tags),
          toJson(p.routers ?? cur.routers),
          p.deploys ?? cur.deploys,
          toMs(new Date()),
          name,
        ],
      );
      return getApp(name);
    },
    async deleteApp(name) {
      markRoute(db, name);
      // Children go explicitly rather than relying on ON DELETE CASCADE being enabled per connection.
      for (const t of ["app_teams", "app_cnames", "app_env"])
        await db.run(`DELETE FROM ${t} WHERE app = ?`, [name]);
      const n = await db.run("DELETE FROM apps WHERE name = ?", [name]);
      if (n === 0) throw new NotFoundError("app", name);
    },
    async grantAppTeam(app, team) {
      await getApp(app);
      await assertExists(db, "teams", "team", team);
      const n = await db.run("INSERT INTO app_teams (app, team) VALUES (?, ?) ON CONFLICT DO NOTHING", [
        app,
        team,
      ]);
      if (n === 0)
        throw new ConflictError(`team "${team}" already has access to app "${app}"`, "app-team", team);
    },
    async revokeAppTeam(app, team) {
      await getApp(app);
      const n = await db.run("DELETE FROM app_teams WHERE app = ? AND team = ?", [app, team]);
      if (n === 0) throw new NotFoundError("app team", team, `team "${team}" has no access to app "${app}"`);
    },
    async republishRoute(app) {
      await getApp(app);
      markRoute(db, app);
    },
    async addAppCnames(app, cnames) {
      await getApp(app);
      markRoute(db, app);
      const list = uniq(cnames);
      await assertCnamesFree(list, app);
      await insertCnames(app, list);
    },
    async removeAppCnames(app, cnames) {
      await getApp(app);
      markRoute(db, app);
      for (const c of uniq(cnames)) {
        const n = await db.run("DELETE FROM app_cnames WHERE app = ? AND cname = ?", [app, c]);
        if (n === 0) throw new NotFoundError("cname", c, `cname "${c}" is not set on app "${app}"`);
      }
    },
    async findAppByCname(cname) {
      const r = await db.get<{ app: string }>("SELECT app FROM app_cnames WHERE cname = ?", [cname]);
      return r ? findApp(r.app) : null;
    },
    async getAppEnv(app, names) {
      await getApp(app);
      const w = new Where().add("app = ?", app);
      if (names) w.in("name", names);
      return (await db.all(`SELECT * FROM app_env ${w} ORDER BY name`, w.params)).map((r): EnvVar => ({
        name: str(r.name),
        value: str(r.value),
        public: bool(r.public),
        alias: str(r.alias),
      }));
    },
    async setAppEnv(app, vars) {
      await getApp(app);
      for (const v of vars) {
        await db.run(
          `INSERT INTO app_env (app, name, value, public, alias) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (app, name) DO UPDATE SET value = excluded.value, public = excluded.public, alias = excluded.alias`,
          [app, v.name, v.value, v.public, v.alias ?? ""],
        );
      }
      await db.run("UPDATE apps SET updated_at = ? WHERE name = ?", [toMs(new Date()), app]);
    },
    async unsetAppEnv(app, names) {
      await getApp(app);
      if (names.length === 0) return 0;
      return db.run(`DELETE FROM app_env WHERE app = ? AND name IN (${marks(names.length)})`, [
        app,
        ...names,
      ]);
    },
  };
}
