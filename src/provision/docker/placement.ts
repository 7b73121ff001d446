// The bridge between the store and the pure scheduler: a ClusterState built from the
// registered nodes and the units the store knows, and the decisions deploys need (where
// to put N new units, which N units to take away).
import {
  ClusterState,
  Scheduler,
  chooseUnitsToRemove,
  type ContainerSpec,
  type ImageSpec,
  type NodeSpec,
  type SchedulingError,
} from "../../scheduler/index.js";
import type {
  App,
  DockerContainerRecord,
  NodeRecord,
  Plan,
  ServiceContainerRecord,
  StoreOps,
  UnitRecord,
} from "../../store/types.js";
import { BadRequestError, ServiceUnavailableError } from "../../domain/errors.js";

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
  const byNode = groupByNode(units.filter((u) => u.status !== "removing"));
  const servicesByNode = groupByNode(services.filter((c) => c.phase !== "removing"));
  const dockerByNode = groupByNode(docker);
  const specs: NodeSpec[] = nodes.map((n) =>
    nodeSpec(n, [
      ...(byNode.get(n.address) ?? []).map((u) => ({
        id: u.id,
        name: `wharf-${u.id}`,
        app: u.app,
        process: u.process,
        memory: reserved.get(u.app) || undefined,
      })),
      ...(servicesByNode.get(n.address) ?? []).map((c) => ({
        id: c.uuid,
        name: c.uuid,
        app: `service:${c.service}`,
        process: c.instance,
        memory: c.memory || undefined,
      })),
      ...(dockerByNode.get(n.address) ?? []).map(dockerReservation),
    ]),
  );
  return new ClusterState(specs);
}

/** The scheduler's node for a registered node, holding `containers`. */
export function nodeSpec(
  n: NodeRecord,
  containers: ContainerSpec[],
  images?: readonly ImageSpec[],
): NodeSpec {
  return {
    id: n.address,
    name: n.engineName || n.address,
    address: n.address,
    metadata: { ...n.metadata, pool: n.pool },
    labels: n.labels,
    cpus: n.cpus,
    memory: n.memory,
    enabled: !n.disabled,
    health: n.health.state === "unhealthy" ? 0 : 100,
    ...(images ? { images } : {}),
    containers,
  };
}

/**
 * A container made through the Docker-API endpoint as its reservations only (memory, CPUs,
 * host ports): no name, labels or image, so nothing can name it in an affinity.
 */
export function dockerReservation(c: DockerContainerRecord): ContainerSpec {
  return {
    id: `docker:${c.swarmId}`,
    memory: c.memory || undefined,
    cpus: c.cpus || undefined,
    portBindings: c.ports,
    hostNetwork: c.hostNetwork,
    exposedPorts: c.exposedPorts,
  };
}

/** Records by the node they are on. */
function groupByNode<T extends { node: string }>(records: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of records) {
    const l = out.get(r.node);
    if (l) l.push(r);
    else out.set(r.node, [r]);
  }
  return out;
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
