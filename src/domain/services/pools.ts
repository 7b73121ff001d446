// Pools and pool constraints. Non-admins see only pools their teams may use, and the
// `allowed.team` list is cut down to their own teams so other teams' names never leak.
import { validateAllowPattern } from "../image-refs.js";
import type { Pool } from "../../store/types.js";
import { BadRequestError, ForbiddenError, NotFoundError, PreconditionFailedError } from "../errors.js";
import { validatePoolName } from "../names.js";
import { poolContext } from "../permissions.js";
import {
  allowedValues,
  checkProvisioner,
  DEFAULT_PROVISIONER,
  isConstraintField,
  isPublic,
  teamCanUsePool,
  type PoolConstraint,
} from "../pools.js";
import type { Ctx } from "./context.js";
import { authorize, isGlobal, memberTeams, type Principal } from "./principal.js";
import { mapped } from "./store-errors.js";
import { withEvent } from "./events.js";

export interface PoolView {
  name: string;
  public: boolean;
  default: boolean;
  provisioner: string;
  teams: string[];
  allowed: Record<string, string[]>;
  /** External images its apps may deploy (registry/path, registry/prefix*); empty: any. */
  imageAllowList: string[];
}

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

function poolDef(p: Pool): { name: string; default: boolean; provisioner: string } {
  return { name: p.name, default: p.isDefault, provisioner: p.provisioner };
}

/** Pools visible to p; `onlyTeams` narrows to pools usable by those teams (team-info). */
export async function visiblePools(ctx: Ctx, p: Principal, onlyTeams?: string[]): Promise<PoolView[]> {
  const [pools, constraints, teams, plans] = await Promise.all([
    ctx.store.listPools(),
    ctx.store.listPoolConstraints(),
    ctx.store.listTeams(),
    ctx.store.listPlans(),
  ]);
  const admin = isGlobal(p, "pool.read");
  const mine = onlyTeams ?? (admin ? teams.map((t) => t.name) : memberTeams(p));
  const out: PoolView[] = [];
  for (const pool of pools) {
    const usable = mine.some((t) => teamCanUsePool(poolDef(pool), t, constraints));
    if (!usable && !(admin && !onlyTeams)) continue;
    const teamNames = admin ? teams.map((t) => t.name) : mine;
    const allowedTeams = allowedValues(pool.name, "team", teamNames, constraints);
    out.push({
      name: pool.name,
      public: isPublic(pool.name, constraints),
      default: pool.isDefault,
      provisioner: pool.provisioner,
      teams: allowedTeams,
      allowed: {
        team: allowedTeams,
        router: allowedValues(
          pool.name,
          "router",
          ctx.settings.routers.map((r) => r.name),
          constraints,
        ),
        plan: allowedValues(
          pool.name,
          "plan",
          plans.map((x) => x.name),
          constraints,
        ),
        service: [],
      },
      imageAllowList: pool.imageAllowList,
    });
  }
  return out;
}

export async function addPool(
  ctx: Ctx,
  p: Principal,
  f: { name: string; public: boolean; default: boolean; force: boolean; provisioner: string },
): Promise<void> {
  authorize(p, "pool.create");
  if (!f.name) throw new BadRequestError("Pool name is required.");
  validatePoolName(f.name);
  // Without a cluster the server runs no provisioner yet: pools may name the default one.
  checkProvisioner(f.provisioner, ctx.runtime?.provisioners?.() ?? [DEFAULT_PROVISIONER]);
  await withEvent(
    ctx.store,
    p,
    { kind: "pool.create", target: { type: "pool", value: f.name } },
    ev(ctx),
    async () => {
      if (f.default) await takeDefault(ctx, f.force);
      await mapped(() =>
        ctx.store.createPool({
          name: f.name,
          isDefault: f.default,
          isPublic: f.public,
          provisioner: f.provisioner,
        }),
      );
      if (f.public || f.default)
        await ctx.store.setPoolConstraint({
          poolExpr: f.name,
          field: "team",
          values: ["*"],
          blacklist: false,
        });
    },
  );
}

/** 412 lets the tsuru client ask "Do you want to change the default pool?" and retry with force. */
async function takeDefault(ctx: Ctx, force: boolean): Promise<void> {
  const current = await ctx.store.findDefaultPool();
  if (!current) return;
  if (!force) throw new PreconditionFailedError("Default pool already exists.");
  await ctx.store.updatePool(current.name, { isDefault: false });
}

async function getPool(ctx: Ctx, name: string): Promise<Pool> {
  const pool = await ctx.store.findPool(name);
  if (!pool) throw new NotFoundError(`Pool "${name}" not found: run "tsuru pool-list" to see the pools.`);
  return pool;
}

export async function updatePool(
  ctx: Ctx,
  p: Principal,
  name: string,
  f: {
    public: boolean | null;
    default: boolean | null;
    force: boolean;
    /** Replaces the pool's allow-list of external images; [] clears it; null leaves it. */
    imageAllowList?: string[] | null;
  },
): Promise<void> {
  authorize(p, "pool.update", poolContext(name));
  const allow = f.imageAllowList?.map(validateAllowPattern);
  const pool = await getPool(ctx, name);
  await withEvent(
    ctx.store,
    p,
    { kind: "pool.update", target: { type: "pool", value: name } },
    ev(ctx),
    async () => {
      if (f.default === true && !pool.isDefault) await takeDefault(ctx, f.force);
      await mapped(() =>
        ctx.store.updatePool(name, {
          ...(f.default !== null ? { isDefault: f.default } : {}),
          ...(f.public !== null ? { isPublic: f.public } : {}),
          ...(allow ? { imageAllowList: [...new Set(allow)] } : {}),
        }),
      );
      if (f.public === true || f.default === true)
        await ctx.store.setPoolConstraint({ poolExpr: name, field: "team", values: ["*"], blacklist: false });
      else if (f.public === false) {
        const own = await ctx.store.listPoolConstraints({ poolExpr: name, field: "team" });
        if (own[0] && own[0].values.length === 1 && own[0].values[0] === "*")
          await ctx.store.removePoolConstraint(name, "team");
      }
    },
  );
}

export async function removePool(ctx: Ctx, p: Principal, name: string): Promise<void> {
  authorize(p, "pool.delete", poolContext(name));
  await getPool(ctx, name);
  const apps = await ctx.store.listApps({ pool: name });
  if (apps.length > 0)
    throw new ForbiddenError(
      "This pool has apps, you need to migrate or remove them before removing the pool",
    );
  await withEvent(
    ctx.store,
    p,
    { kind: "pool.delete", target: { type: "pool", value: name } },
    ev(ctx),
    async () => {
      await mapped(() => ctx.store.deletePool(name));
      for (const c of await ctx.store.listPoolConstraints({ poolExpr: name }))
        await ctx.store.removePoolConstraint(c.poolExpr, c.field);
    },
  );
}

export async function changePoolTeams(
  ctx: Ctx,
  p: Principal,
  name: string,
  teams: string[],
  add: boolean,
): Promise<void> {
  authorize(p, add ? "pool.update.team.add" : "pool.update.team.remove", poolContext(name));
  await getPool(ctx, name);
  if (teams.length === 0) throw new BadRequestError("You must provide the team(s).");
  for (const t of teams)
    if (add && !(await ctx.store.findTeam(t))) throw new NotFoundError(`Team "${t}" not found.`);
  const kind = add ? "pool.update.team.add" : "pool.update.team.remove";
  await withEvent(ctx.store, p, { kind, target: { type: "pool", value: name } }, ev(ctx), async () => {
    const cur = (await ctx.store.listPoolConstraints({ poolExpr: name, field: "team" }))[0];
    let values = cur && !cur.blacklist ? cur.values.filter((v) => v !== "*") : [];
    values = add ? [...new Set([...values, ...teams])] : values.filter((v) => !teams.includes(v));
    await ctx.store.setPoolConstraint({ poolExpr: name, field: "team", values, blacklist: false });
  });
}

export interface ConstraintView {
  PoolExpr: string;
  Field: string;
  Values: string[];
  Blacklist: boolean;
}

export async function listConstraints(ctx: Ctx, p: Principal): Promise<ConstraintView[]> {
  authorize(p, "pool.read");
  const cs = await ctx.store.listPoolConstraints();
  return cs.map((c) => ({ PoolExpr: c.poolExpr, Field: c.field, Values: c.values, Blacklist: c.blacklist }));
}

export async function setConstraint(
  ctx: Ctx,
  p: Principal,
  f: { poolExpr: string; field: string; values: string[]; blacklist: boolean; append: boolean },
): Promise<void> {
  authorize(p, "pool.update.constraints.set");
  if (!f.poolExpr) throw new BadRequestError("You must provide the pool expression (PoolExpr).");
  if (!isConstraintField(f.field))
    throw new BadRequestError(`Invalid constraint field "${f.field}": use team, router, service or plan.`);
  const field = f.field;
  await withEvent(
    ctx.store,
    p,
    { kind: "pool.update.constraints.set", target: { type: "pool", value: f.poolExpr } },
    ev(ctx),
    async () => {
      let values = f.values.filter((v) => v !== "");
      if (f.append) {
        const cur = (await ctx.store.listPoolConstraints({ poolExpr: f.poolExpr, field }))[0];
        values = [...new Set([...(cur?.values ?? []), ...values])];
      }
      const c: PoolConstraint = { poolExpr: f.poolExpr, field, values, blacklist: f.blacklist };
      if (values.length === 0)
        await ctx.store.removePoolConstraint(c.poolExpr, c.field).catch(() => undefined);
      else await ctx.store.setPoolConstraint(c);
    },
  );
}
