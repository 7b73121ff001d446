// The bridge between the store and the pure scheduler: a ClusterState built from the
// registered nodes and the units the store knows, and the decisions deploys need (where
// to put N new units, which N units to take away).
import {
  ClusterState,
  Scheduler,
  chooseUnitsToRemove,
  type NodeSpec,
  type SchedulingError,
} from "../scheduler/index.js";
import type {
  App,
  DockerContainerRecord,
  NodeRecord,
  Plan,
  ServiceContainerRecord,
  StoreOps,
  UnitRecord,
} from "../store/types.js";
import { BadRequestError, ServiceUnavailableError } from "../domain/errors.js";

/** Bytes each app's units reserve on their node: their plan's memory (0 = unlimited, none). */
export function planMemoryByApp(apps: readonly App[], plans: readonly Plan[]): Map<string, number> {
  const memory = new Map(plans.map((p) => [p.name, p.memory]));
  return new Map(apps.map((a) => [a.name, memory.get(a.plan) ?? 0]));
}

/**
 * The scheduler's view: every registered node with the units on it, each unit charged its
 * app's plan memory (`reserved`; apps missing from it reserve nothing), so a node full of
 * reservations takes no more units, as Swarm's reservation accounting does. Built-in service
 * instances' containers share the nodes, so they count too (as app "service:<kind>"), and so do
 * the containers teams made through the Docker-API endpoint (src/dockerapi: their own
 * reservations and host ports, no app).
 */
export function clusterView(
  nodes: readonly NodeRecord[],
  units: readonly UnitRecord[],
  reserved: ReadonlyMap<string, number> = new Map(),
  services: readonly ServiceContainerRecord[] = [],
  docker: readonly DockerContainerRecord[] = [],
): ClusterState {
  const byNode = new Map<string, UnitRecord[]>();
  for (const u of units) {
    if (u.status === "removing") continue;
    const list = byNode.get(u.node) ?? [];
    list.push(u);
    byNode.set(u.node, list);
  }
  const specs: NodeSpec[] = nodes.map((n) => ({
    id: n.address,
    name: n.engineName || n.address,
    address: n.address,
    metadata: { ...n.metadata, pool: n.pool },
    labels: n.labels,
    cpus: n.cpus,
    memory: n.memory,
    enabled: !n.disabled,
    health: n.health.state === "unhealthy" ? 0 : 100,
    containers: [
      ...(byNode.get(n.address) ?? []).map((u) => ({
        id: u.id,
        name: `wharf-${u.id}`,
        app: u.app,
        process: u.process,
        memory: reserved.get(u.app) || undefined,
      })),
      ...services
        .filter((c) => c.node === n.address && c.phase !== "removing")
        .map((c) => ({
          id: c.uuid,
          name: c.uuid,
          app: `service:${c.service}`,
          process: c.instance,
          memory: c.memory || undefined,
        })),
      ...docker
        .filter((c) => c.node === n.address)
        .map((c) => ({
          id: `docker:${c.swarmId}`,
          memory: c.memory || undefined,
          cpus: c.cpus || undefined,
          portBindings: c.ports,
          hostNetwork: c.hostNetwork,
          exposedPorts: c.exposedPorts,
        })),
    ],
  }));
  return new ClusterState(specs);
}

/** clusterView from the store (or a transaction), with the plans' memory reservations. */
export async function loadClusterView(
  s: Pick<
    StoreOps,
    "listNodes" | "listUnits" | "listApps" | "listPlans" | "listServiceContainers" | "listDockerContainers"
  >,
): Promise<ClusterState> {
  const [nodes, units, apps, plans, services, docker] = [
    await s.listNodes(),
    await s.listUnits(),
    await s.listApps(),
    await s.listPlans(),
    await s.listServiceContainers(),
    await s.listDockerContainers(),
  ];
  return clusterView(nodes, units, planMemoryByApp(apps, plans), services, docker);
}

export interface PlaceRequest {
  app: string;
  process: string;
  pool: string;
  /** Bytes reserved per unit (the plan's memory; 0 = none). */
  memory: number;
  /** Swarm-style constraint expressions (e.g. zone==a). */
  constraints?: readonly string[];
}

function schedulingFailure(e: SchedulingError): Error {
  return e.kind === "invalid-request"
    ? new BadRequestError(
        `${e.message}: fix the constraint expression (key==value, key!=value, key==~value).`,
      )
    : new ServiceUnavailableError(`Cannot place a unit: ${e.message}`);
}

/** Nodes for n new units, each decision seeing the previous ones (so they spread). */
export function placeUnits(state: ClusterState, req: PlaceRequest, ids: readonly string[]): string[] {
  const scheduler = new Scheduler(state, { strategy: "spread" });
  const out: string[] = [];
  for (const id of ids) {
    const r = scheduler.place({
      id,
      name: `wharf-${id}`,
      app: req.app,
      process: req.process,
      pool: req.pool,
      memory: req.memory || undefined,
      constraints: req.constraints ?? [],
    });
    if (!r.ok) throw schedulingFailure(r.error);
    state.commit(r.value);
    out.push(r.value.nodeId);
  }
  return out;
}

/** Unit ids to remove, from the most crowded end (tsuru's segregated scheduler). */
export function unitsToRemove(
  state: ClusterState,
  q: { app: string; process: string; pool: string },
  n: number,
): string[] {
  const r = chooseUnitsToRemove(state, { app: q.app, process: q.process, pool: q.pool }, n);
  if (!r.ok) throw new BadRequestError(r.error.message);
  return r.value.map((c) => c.id);
}
