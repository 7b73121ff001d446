// Pool rules as pure functions returning values. The constraint logic itself lives in
// src/domain/pools.ts (one source of truth for the API and the scheduler); this module
// turns its thrown WharfErrors into Result values and adds the node side of
// segregation: a unit may only land on nodes whose metadata says pool=<app pool>.
import {
  checkPlanAllowed,
  choosePool as domainChoosePool,
  type PoolConstraint,
  type PoolDef,
} from "../domain/pools.js";
import { isWharfError } from "../domain/errors.js";
import { err, ok, type NodeSpec, type Result } from "./types.js";

export type { PoolConstraint, PoolDef } from "../domain/pools.js";

export interface PoolChoiceError {
  status: number;
  message: string;
}

export interface PoolChoiceInput {
  /** The pool named at app creation, or "" / undefined to let the rules choose. */
  requested?: string;
  teamOwner: string;
  /** The app's plan, checked against the pool's plan constraint when given. */
  plan?: string;
  pools: readonly PoolDef[];
  constraints: readonly PoolConstraint[];
}

/**
 * tsuru's app.SetPool: the requested pool if it exists; else the one pool whose own
 * team constraint lists exactly the team owner (several → ask to choose); else the
 * default pool. The owner (and the plan, when given) must then be allowed there.
 */
export function chooseAppPool(input: PoolChoiceInput): Result<string, PoolChoiceError> {
  try {
    const pool = domainChoosePool(input.requested ?? "", input.teamOwner, input.pools, input.constraints);
    if (input.plan !== undefined) checkPlanAllowed(pool.name, input.plan, input.constraints);
    return ok(pool.name);
  } catch (e) {
    if (isWharfError(e)) return err({ status: e.status, message: e.message });
    throw e;
  }
}

/** The pool a node belongs to (its pool metadata), "" when it has none. */
export function nodePool(node: Pick<NodeSpec, "metadata">): string {
  return node.metadata?.["pool"] ?? "";
}

/** Segregation as a predicate: may a unit of an app in `pool` run on `node`? */
export function nodeServesPool(node: Pick<NodeSpec, "metadata">, pool: string): boolean {
  return nodePool(node) === pool;
}
