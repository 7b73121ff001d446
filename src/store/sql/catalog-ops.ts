// Pools (and their tsuru constraints), platforms and plans: the catalog apps are placed against.
import { ConflictError, NotFoundError } from "../errors.js";
import type { ConstraintField, Plan, Platform, Pool, PoolConstraint, StoreOps } from "../types.js";
import { type Db, type Row, Where, bool, fromJson, fromMs, num, str, toJson, toMs } from "./db.js";

type PoolOps = Pick<
  StoreOps,
  | "createPool"
  | "getPool"
  | "findPool"
  | "listPools"
  | "findDefaultPool"
  | "updatePool"
  | "deletePool"
  | "setPoolConstraint"
  | "removePoolConstraint"
  | "listPoolConstraints"
>;
type PlatformOps = Pick<
  StoreOps,
  "createPlatform" | "getPlatform" | "findPlatform" | "listPlatforms" | "updatePlatform" | "deletePlatform"
>;
type PlanOps = Pick<
  StoreOps,
  "createPlan" | "getPlan" | "findPlan" | "findDefaultPlan" | "listPlans" | "deletePlan"
>;

const poolRow = (r: Row): Pool => ({
  name: str(r.name),
  isDefault: bool(r.is_default),
  isPublic: bool(r.is_public),
  provisioner: str(r.provisioner),
  labels: fromJson<Record<string, string>>(r.labels, {}),
  imageAllowList: fromJson<string[]>(r.image_allowlist, []),
  createdAt: fromMs(r.created_at),
});

const constraintRow = (r: Row): PoolConstraint => ({
  poolExpr: str(r.pool_expr),
  field: str(r.field) as ConstraintField,
  values: fromJson<string[]>(r.vals, []),
  blacklist: bool(r.blacklist),
});

const platformRow = (r: Row): Platform => ({
  name: str(r.name),
  disabled: bool(r.disabled),
  version: num(r.version),
  image: str(r.image),
  images: fromJson<string[]>(r.images, []),
  createdAt: fromMs(r.created_at),
});

const planRow = (r: Row): Plan => ({
  name: str(r.name),
  memory: num(r.memory),
  swap: num(r.swap),
  cpuMilli: num(r.cpu_milli),
  cpuShare: num(r.cpu_share),
  isDefault: bool(r.is_default),
});

/** Fails with a readable ConflictError if any app still references `column = value`. */
async function assertUnused(db: Db, column: "pool" | "platform" | "plan", value: string): Promise<void> {
  const r = await db.get<{ name: string }>(`SELECT name FROM apps WHERE ${column} = ? LIMIT 1`, [value]);
  if (r) throw new ConflictError(`${column} "${value}" is still used by app "${r.name}"`, column, value);
}

export function poolOps(db: Db): PoolOps {
  const findPool = async (name: string) => {
    const r = await db.get("SELECT * FROM pools WHERE name = ?", [name]);
    return r ? poolRow(r) : null;
  };
  const getPool = async (name: string) => {
    const p = await findPool(name);
    if (!p) throw new NotFoundError("pool", name);
    return p;
  };
  const findDefaultPool = async () => {
    const r = await db.get("SELECT * FROM pools WHERE is_default = ?", [true]);
    return r ? poolRow(r) : null;
  };
  const defaultConflict = (cur: Pool) =>
    new ConflictError(`Default pool already exists: "${cur.name}"`, "pool", cur.name);
  return {
    async createPool(p) {
      if (p.isDefault) {
        const d = await findDefaultPool();
        if (d) throw defaultConflict(d);
      }
      const n = await db.run(
        `INSERT INTO pools (name, is_default, is_public, provisioner, labels, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [p.name, !!p.isDefault, !!p.isPublic, p.provisioner ?? "", toJson(p.labels ?? {}), toMs(new Date())],
      );
      if (n === 0) {
        // Either the name or (racing) the single-default index.
        if (await findPool(p.name))
          throw new ConflictError(`pool "${p.name}" already exists`, "pool", p.name);
        const d = await findDefaultPool();
        throw d ? defaultConflict(d) : new ConflictError(`pool "${p.name}" conflicts`, "pool", p.name);
      }
      return getPool(p.name);
    },
    getPool,
    findPool,
    async listPools(filter = {}) {
      const w = new Where();
      if (filter.names) w.in("name", filter.names);
      return (await db.all(`SELECT * FROM pools ${w} ORDER BY name`, w.params)).map(poolRow);
    },
    findDefaultPool,
    async updatePool(name, patch) {
      const cur = await getPool(name);
      if (patch.isDefault && !cur.isDefault) {
        const d = await findDefaultPool();
        if (d) throw defaultConflict(d);
      }
      await db.run(
        "UPDATE pools SET is_default = ?, is_public = ?, provisioner = ?, labels = ?, image_allowlist = ? WHERE name = ?",
        [
          patch.isDefault ?? cur.isDefault,
          patch.isPublic ?? cur.isPublic,
          patch.provisioner ?? cur.provisioner,
          toJson(patch.labels ?? cur.labels),
          toJson(patch.imageAllowList ?? cur.imageAllowList),
          name,
        ],
      );
      return getPool(name);
    },
    async deletePool(name) {
      await getPool(name);
      await assertUnused(db, "pool", name);
      await db.run("DELETE FROM pool_constraints WHERE pool_expr = ?", [name]);
      // A pool made again with this name starts from the defaults, not the old pool's settings.
      await db.run("DELETE FROM pool_log_settings WHERE pool = ?", [name]);
      await db.run("DELETE FROM pool_healing WHERE pool = ?", [name]);
      await db.run("DELETE FROM pools WHERE name = ?", [name]);
    },
    async setPoolConstraint(c) {
      if (c.values.length === 0) {
        await db.run("DELETE FROM pool_constraints WHERE pool_expr = ? AND field = ?", [c.poolExpr, c.field]);
        return;
      }
      await db.run(
        `INSERT INTO pool_constraints (pool_expr, field, vals, blacklist) VALUES (?, ?, ?, ?)
         ON CONFLICT (pool_expr, field) DO UPDATE SET vals = excluded.vals, blacklist = excluded.blacklist`,
        [c.poolExpr, c.field, toJson(c.values), c.blacklist],
      );
    },
    async removePoolConstraint(poolExpr, field) {
      const n = await db.run("DELETE FROM pool_constraints WHERE pool_expr = ? AND field = ?", [
        poolExpr,
        field,
      ]);
      if (n === 0) throw new NotFoundError("pool constraint", `${poolExpr}/${field}`);
    },
    async listPoolConstraints(filter = {}) {
      const w = new Where();
      if (filter.poolExpr !== undefined) w.add("pool_expr = ?", filter.poolExpr);
      if (filter.field !== undefined) w.add("field = ?", filter.field);
      return (await db.all(`SELECT * FROM pool_constraints ${w} ORDER BY pool_expr, field`, w.params)).map(
        constraintRow,
      );
    },
  };
}

export function platformOps(db: Db): PlatformOps {
  const findPlatform = async (name: string) => {
    const r = await db.get("SELECT * FROM platforms WHERE name = ?", [name]);
    return r ? platformRow(r) : null;
  };
  const getPlatform = async (name: string) => {
    const p = await findPlatform(name);
    if (!p) throw new NotFoundError("platform", name);
    return p;
  };
  return {
    async createPlatform(p) {
      const image = p.image ?? "";
      const n = await db.run(
        `INSERT INTO platforms (name, disabled, version, image, images, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [p.name, !!p.disabled, image ? 1 : 0, image, toJson(image ? [image] : []), toMs(new Date())],
      );
      if (n === 0) throw new ConflictError(`platform "${p.name}" already exists`, "platform", p.name);
      return getPlatform(p.name);
    },
    getPlatform,
    findPlatform,
    async listPlatforms(filter = {}) {
      const w = new Where();
      if (filter.enabledOnly) w.add("disabled = ?", false);
      return (await db.all(`SELECT * FROM platforms ${w} ORDER BY name`, w.params)).map(platformRow);
    },
    async updatePlatform(name, patch) {
      const cur = await getPlatform(name);
      const next = { ...cur, disabled: patch.disabled ?? cur.disabled };
      if (patch.image) {
        next.version = cur.version + 1;
        next.image = patch.image;
        next.images = [patch.image, ...cur.images.filter((i) => i !== patch.image)];
      }
      await db.run("UPDATE platforms SET disabled = ?, version = ?, image = ?, images = ? WHERE name = ?", [
        next.disabled,
        next.version,
        next.image,
        toJson(next.images),
        name,
      ]);
      return getPlatform(name);
    },
    async deletePlatform(name) {
      await getPlatform(name);
      await assertUnused(db, "platform", name);
      await db.run("DELETE FROM platforms WHERE name = ?", [name]);
    },
  };
}

export function planOps(db: Db): PlanOps {
  const findPlan = async (name: string) => {
    const r = await db.get("SELECT * FROM plans WHERE name = ?", [name]);
    return r ? planRow(r) : null;
  };
  const findDefaultPlan = async () => {
    const r = await db.get("SELECT * FROM plans WHERE is_default = ?", [true]);
    return r ? planRow(r) : null;
  };
  return {
    async createPlan(p) {
      if (p.isDefault) {
        const d = await findDefaultPlan();
        if (d) throw new ConflictError(`default plan already exists: "${d.name}"`, "plan", d.name);
      }
      const n = await db.run(
        `INSERT INTO plans (name, memory, swap, cpu_milli, cpu_share, is_default)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [p.name, p.memory, p.swap, p.cpuMilli, p.cpuShare, p.isDefault],
      );
      if (n === 0) throw new ConflictError(`plan "${p.name}" already exists`, "plan", p.name);
      return (await findPlan(p.name))!;
    },
    async getPlan(name) {
      const p = await findPlan(name);
      if (!p) throw new NotFoundError("plan", name);
      return p;
    },
    findPlan,
    findDefaultPlan,
    async listPlans() {
      return (await db.all("SELECT * FROM plans ORDER BY name")).map(planRow);
    },
    async deletePlan(name) {
      if (!(await findPlan(name))) throw new NotFoundError("plan", name);
      await assertUnused(db, "plan", name);
      await db.run("DELETE FROM plans WHERE name = ?", [name]);
    },
  };
}
