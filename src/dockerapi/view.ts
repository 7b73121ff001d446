// The scheduler's view for one caller's create: every node of the cluster with everything
// that runs on it counted (units, built-in service containers, every team's endpoint
// containers: reservations and host ports), but only the caller's own containers carry a
// name, labels and an image, so affinities and dependencies can only ever name those.
// Other workloads are anonymous reservations.
import { ClusterState, type ContainerSpec } from "../scheduler/index.js";
import { dockerReservation, nodeSpec, planMemoryByApp } from "../provision/docker/placement.js";
import type { DockerContainerRecord, NodeRecord, StoreOps } from "../store/types.js";
import type { ImageSummary } from "./node-state.js";

export interface ViewInput {
  teams: readonly string[];
  /** Images per node address, for image affinity. */
  images: (address: string) => readonly ImageSummary[];
}

/** Parsed labels per record object (records are replaced, never changed, on update). */
const labelsOf = new WeakMap<DockerContainerRecord, Record<string, string>>();

/** The labels a container was created with (from its recorded create body). */
export function recordLabels(c: DockerContainerRecord): Record<string, string> {
  let labels = labelsOf.get(c);
  if (!labels) {
    try {
      labels = (JSON.parse(c.config) as { Labels?: Record<string, string> }).Labels ?? {};
    } catch {
      labels = {};
    }
    labelsOf.set(c, labels);
  }
  return labels;
}

type ViewReads = Pick<
  StoreOps,
  "listNodes" | "listUnits" | "listApps" | "listPlans" | "listServiceContainers" | "listDockerContainers"
>;

/** The nodes and, per node address, what runs there as the scheduler sees it (see the header). */
async function viewContainers(
  store: ViewReads,
  teams: ReadonlySet<string>,
): Promise<{ nodes: NodeRecord[]; byNode: Map<string, ContainerSpec[]> }> {
  const [nodes, units, apps, plans, services, docker] = await Promise.all([
    store.listNodes(),
    store.listUnits(),
    store.listApps(),
    store.listPlans(),
    store.listServiceContainers(),
    store.listDockerContainers(),
  ]);
  const reserved = planMemoryByApp(apps, plans);
  const byNode = new Map<string, ContainerSpec[]>();
  const add = (node: string, c: ContainerSpec) => {
    const l = byNode.get(node);
    if (l) l.push(c);
    else byNode.set(node, [c]);
  };
  for (const u of units)
    if (u.status !== "removing")
      add(u.node, { id: `unit:${u.id}`, memory: reserved.get(u.app) || undefined });
  for (const s of services)
    if (s.node && s.phase !== "removing")
      add(s.node, { id: `service:${s.uuid}`, memory: s.memory || undefined });
  // A caller in several teams may hold two containers of one name: only the first is named.
  const names = new Set<string>();
  for (const c of docker) {
    const reservation = dockerReservation(c);
    if (teams.has(c.team))
      add(c.node, {
        ...reservation,
        id: c.containerId || c.swarmId,
        name: names.has(c.name) ? undefined : (names.add(c.name), c.name),
        image: c.image,
        labels: recordLabels(c),
      });
    else add(c.node, reservation);
  }
  return { nodes, byNode };
}

export async function endpointView(store: ViewReads, input: ViewInput): Promise<ClusterState> {
  const { nodes, byNode } = await viewContainers(store, new Set(input.teams));
  return new ClusterState(
    nodes.map((n) =>
      nodeSpec(
        n,
        byNode.get(n.address) ?? [],
        input.images(n.address).map((i) => ({ id: i.Id, repoTags: i.RepoTags ?? [] })),
      ),
    ),
  );
}

export interface NodeUsage {
  usedCpus: number;
  usedMemory: number;
  totalCpus: number;
  totalMemory: number;
}

/**
 * Per node address, the reservations of everything on the node and its capacity with Swarm's
 * overcommit: the figures endpointView's state holds, without building every container into
 * a ClusterState (info needs only these sums; on a pool of 30,000 containers that build was
 * most of its time).
 */
export async function nodeUsage(store: ViewReads): Promise<Map<string, NodeUsage>> {
  const { nodes, byNode } = await viewContainers(store, new Set());
  const capacity = new ClusterState(nodes.map((n) => nodeSpec(n, [])));
  const out = new Map<string, NodeUsage>();
  for (const n of nodes) {
    const i = capacity.slot(n.address)!;
    let usedCpus = 0;
    let usedMemory = 0;
    for (const c of byNode.get(n.address) ?? []) {
      usedCpus += c.cpus ?? 0;
      usedMemory += c.memory ?? 0;
    }
    out.set(n.address, {
      usedCpus,
      usedMemory,
      totalCpus: capacity.totalCpus[i]!,
      totalMemory: capacity.totalMemory[i]!,
    });
  }
  return out;
}
