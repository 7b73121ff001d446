// Pool constraints and pool choice, as tsuru 1.8 does them (see tsuru-docker-era.md
// §1.4). Constraint expressions and values are globs where only "*" is special.
import { BadRequestError, NotFoundError } from "./errors.js";

/** The provisioner of a pool whose `provisioner` is "" (tsuru's default). */
export const DEFAULT_PROVISIONER = "docker";

/** tsuru `pool add --provisioner`: "" (the default) or one the server runs; a 400 naming them otherwise. */
export function checkProvisioner(name: string, known: readonly string[]): void {
  if (name === "" || known.includes(name)) return;
  throw new BadRequestError(
    `Unknown provisioner "${name.slice(0, 64)}": use one of ${[...known].sort().join(", ")} (or none for ${DEFAULT_PROVISIONER}).`,
  );
}

export type ConstraintField = "team" | "router" | "service" | "plan";
export const CONSTRAINT_FIELDS: readonly ConstraintField[] = ["team", "router", "service", "plan"];

export function isConstraintField(s: string): s is ConstraintField {
  return (CONSTRAINT_FIELDS as readonly string[]).includes(s);
}

export interface PoolConstraint {
  poolExpr: string;
  field: ConstraintField;
  values: string[];
  blacklist: boolean;
}

export interface PoolDef {
  name: string;
  default: boolean;
  provisioner: string;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

export function globMatch(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}

/** The most specific constraint for `field` that applies to `pool` (longest expr, then fewest "*"). */
export function constraintFor(
  pool: string,
  field: ConstraintField,
  constraints: readonly PoolConstraint[],
): PoolConstraint | undefined {
  let best: PoolConstraint | undefined;
  for (const c of constraints) {
    if (c.field !== field || !globMatch(c.poolExpr, pool)) continue;
    if (!best) {
      best = c;
      continue;
    }
    const stars = (s: string): number => s.split("*").length - 1;
    if (
      c.poolExpr.length > best.poolExpr.length ||
      (c.poolExpr.length === best.poolExpr.length && stars(c.poolExpr) < stars(best.poolExpr))
    )
      best = c;
  }
  return best;
}

function constraintAllows(c: PoolConstraint, value: string): boolean {
  const matched = c.values.some((v) => globMatch(v, value));
  return matched ? !c.blacklist : c.blacklist;
}

/**
 * Is `value` allowed in `field` on `pool`? With no constraint at all the answer is
 * "yes" for `allowed` lists (lenient) but "no" for the exact checks used at app
 * creation (strict), like tsuru.
 */
export function allows(
  pool: string,
  field: ConstraintField,
  value: string,
  constraints: readonly PoolConstraint[],
  strict: boolean,
): boolean {
  const c = constraintFor(pool, field, constraints);
  if (!c) return !strict;
  return constraintAllows(c, value);
}

/** A pool is public when its own team constraint lists exactly "*" and isn't a blacklist. */
export function isPublic(pool: string, constraints: readonly PoolConstraint[]): boolean {
  return constraints.some(
    (c) =>
      c.poolExpr === pool &&
      c.field === "team" &&
      !c.blacklist &&
      c.values.length === 1 &&
      c.values[0] === "*",
  );
}

/** Teams (of `allTeams`) a pool admits, as shown in pool-list's `allowed.team`. */
export function allowedValues(
  pool: string,
  field: ConstraintField,
  candidates: readonly string[],
  constraints: readonly PoolConstraint[],
): string[] {
  return candidates.filter((v) => allows(pool, field, v, constraints, false));
}

/** Can `team` use `pool` (see it, deploy on it)? Public and default pools admit everyone. */
export function teamCanUsePool(pool: PoolDef, team: string, constraints: readonly PoolConstraint[]): boolean {
  if (pool.default || isPublic(pool.name, constraints)) return true;
  return allows(pool.name, "team", team, constraints, true);
}

/**
 * Choose the pool for a new app: the given one, else the single pool whose own team
 * constraint lists exactly the team owner, else the default pool.
 */
export function choosePool(
  requested: string,
  teamOwner: string,
  pools: readonly PoolDef[],
  constraints: readonly PoolConstraint[],
): PoolDef {
  let pool: PoolDef | undefined;
  if (requested !== "") {
    pool = pools.find((p) => p.name === requested);
    if (!pool)
      throw new NotFoundError(`Pool "${requested}" does not exist: run "tsuru pool-list" to see the pools.`);
  } else {
    const own = pools.filter((p) =>
      constraints.some(
        (c) =>
          c.poolExpr === p.name &&
          c.field === "team" &&
          !c.blacklist &&
          c.values.length === 1 &&
          c.values[0] === teamOwner,
      ),
    );
    if (own.length > 1)
      throw new BadRequestError(
        `you have access to ${own.map((p) => `"${p.name}"`).join(",")} pools. Please choose one in app creation`,
      );
    pool = own[0] ?? pools.find((p) => p.default);
    if (!pool)
      throw new BadRequestError(
        "No pool given and there is no default pool: pass a pool with -o, or ask an admin to create a default pool.",
      );
  }
  if (!teamCanUsePool(pool, teamOwner, constraints))
    throw new BadRequestError(
      `Team "${teamOwner}" is not allowed to use pool "${pool.name}": choose another pool or ask an admin to add the team to it.`,
    );
  return pool;
}

export function checkPlanAllowed(pool: string, plan: string, constraints: readonly PoolConstraint[]): void {
  if (!allows(pool, "plan", plan, constraints, false))
    throw new BadRequestError(`App plan "${plan}" is not allowed on pool "${pool}"`);
}
