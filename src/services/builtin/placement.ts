// Where a new instance goes: a pool its team may use (and that admits the service), then a
// healthy node of that pool chosen by the pure scheduler (spread, memory reserved by the
// apps' units and the other instances), then a free host port on that node. Pure: the caller brings the store's
// view and turns errors into HTTP answers.
import { allows, choosePool, type PoolConstraint } from "../../domain/pools.js";
import { BadRequestError, ServiceUnavailableError } from "../../domain/errors.js";
import { Scheduler } from "../../scheduler/index.js";
import { clusterView } from "../../provision/docker/placement.js";
import type { NodeRecord, Pool, ServiceContainerRecord, UnitRecord } from "../../store/types.js";

export interface PlacementInput {
  service: string;
  team: string;
  /** From `--plan-param pool=<pool>`; "" picks the team's pool as for an app. */
  pool: string;
  memory: number;
  uuid: string;
  pools: readonly Pool[];
  constraints: readonly PoolConstraint[];
  nodes: readonly NodeRecord[];
  units: readonly UnitRecord[];
  /** Memory each app's units reserve (deploy/placement's planMemoryByApp). */
  reserved: ReadonlyMap<string, number>;
  containers: readonly ServiceContainerRecord[];
}

export function choosePoolFor(i: PlacementInput): string {
  const pool = choosePool(
    i.pool,
    i.team,
    i.pools.map((p) => ({ name: p.name, default: p.isDefault, provisioner: p.provisioner })),
    i.constraints,
  );
  if (!allows(pool.name, "service", i.service, i.constraints, false))
    throw new BadRequestError(
      `Service "${i.service}" is not allowed on pool "${pool.name}": choose another pool with --plan-param pool=<pool>.`,
    );
  return pool.name;
}

/** The node address for the instance, or a 503 naming what the scheduler found missing. */
export function chooseNode(i: PlacementInput, pool: string): string {
  const scheduler = new Scheduler(clusterView(i.nodes, i.units, i.reserved, i.containers), {
    strategy: "spread",
  });
  const r = scheduler.place({
    id: i.uuid,
    name: i.uuid,
    app: `service:${i.service}`,
    process: "instance",
    pool,
    memory: i.memory || undefined,
  });
  if (!r.ok)
    throw new ServiceUnavailableError(
      `Cannot place the instance in pool "${pool}": ${r.error.message}. Add a node to the pool (wharf node add) or choose a smaller plan.`,
    );
  return r.value.nodeId;
}

export interface PortRange {
  from: number;
  to: number;
}

/** WHARF_SERVICE_PORTS=FROM-TO: host ports instances are published on (outside Linux's ephemeral range). */
export function portRangeFromEnv(env: NodeJS.ProcessEnv = process.env): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(env.WHARF_SERVICE_PORTS ?? "");
  if (!m) return { from: 20000, to: 29999 };
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from < 1024 || to > 65535 || from > to)
    throw new Error(
      `invalid WHARF_SERVICE_PORTS "${env.WHARF_SERVICE_PORTS}": use FROM-TO within 1024-65535`,
    );
  return { from, to };
}

/**
 * A host port of the range not used by another instance on the node (nor in `avoid`, ports
 * that failed to bind), picked at random so concurrent provisions rarely collide; the store's
 * unique (node, port) index settles the rest.
 */
export function choosePort(
  used: ReadonlySet<number>,
  range: PortRange,
  rand: () => number = Math.random,
): number {
  const size = range.to - range.from + 1;
  const start = Math.floor(rand() * size);
  for (let k = 0; k < size; k++) {
    const port = range.from + ((start + k) % size);
    if (!used.has(port)) return port;
  }
  throw new ServiceUnavailableError(
    `No free host port left for service instances on this node (range ${range.from}-${range.to}): widen WHARF_SERVICE_PORTS.`,
  );
}
