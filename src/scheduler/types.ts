// Public shapes of the pure scheduler. Nothing here does I/O: callers build a
// ClusterState from what the node registry knows and ask the Scheduler for a node.

/** A host port binding, as in Docker's HostConfig.PortBindings. */
export interface PortBinding {
  /** Host port as Docker writes it ("80"); an empty HostPort ("-p 80") never clashes. */
  hostPort: string;
  /** "" / "0.0.0.0" / "::" bind every interface. */
  hostIp?: string;
}

/** An image present on a node, for image affinity. */
export interface ImageSpec {
  id: string;
  repoTags?: string[];
}

/** A container already on a node (units, node containers, anything else). */
export interface ContainerSpec {
  id: string;
  /** Docker name, with or without the leading "/". */
  name?: string;
  image?: string;
  labels?: Readonly<Record<string, string>>;
  /** Set for app units: they count in the HA scores. */
  app?: string;
  process?: string;
  /** Reservations (CPUs as Swarm counts them, memory in bytes). Stopped containers keep them. */
  cpus?: number;
  memory?: number;
  portBindings?: readonly PortBinding[];
  /** NetworkMode == "host": its exposedPorts occupy the host's ports. */
  hostNetwork?: boolean;
  /** "80/tcp" style keys. */
  exposedPorts?: readonly string[];
}

export interface NodeSpec {
  /** Unique id (Swarm: "<daemon id>|<addr>"; tsuru: the address). Matched by `node==`. */
  id: string;
  /** Daemon hostname; also matched by `node==` and by whitelists. Defaults to id. */
  name?: string;
  address?: string;
  /** tsuru metadata: pool=…, zone=…, iaas=…; runtime keys (LastSuccess…) must not be put here. */
  metadata?: Readonly<Record<string, string>>;
  /** Engine labels, standard spec labels included (storagedriver, kernelversion, …). */
  labels?: Readonly<Record<string, string>>;
  /** Capacity before overcommit. */
  cpus: number;
  memory: number;
  /** Disabled nodes (creation status not "created", healing, DisabledUntil) take no new units. */
  enabled?: boolean;
  /** Swarm's HealthIndicator 0..100; 0 means unhealthy. Default 100. */
  health?: number;
  images?: readonly ImageSpec[];
  containers?: readonly ContainerSpec[];
}

export type StrategyName = "spread" | "binpack" | "random";

/** What the caller wants placed. */
export interface UnitRequest {
  app?: string;
  process?: string;
  /** The app's pool: only nodes whose metadata says pool=<pool> are candidates. */
  pool?: string;
  team?: string;
  /** CPUs reserved (Swarm counts CpuShares in a create request as CPUs). */
  cpus?: number;
  /** Bytes reserved. */
  memory?: number;
  /** Swarm expressions, e.g. "zone==a", "storagedriver==~overlay2", "node!=/web-\\d+/". */
  constraints?: readonly string[];
  affinities?: readonly string[];
  whitelists?: readonly string[];
  portBindings?: readonly PortBinding[];
  hostNetwork?: boolean;
  exposedPorts?: readonly string[];
  /** --volumes-from values ("b1:ro"), --link values ("/b1:alias"), NetworkMode "container:<x>" target. */
  volumesFrom?: readonly string[];
  links?: readonly string[];
  netContainer?: string;
  /** Identity of the container to create, recorded by commit(). */
  id?: string;
  name?: string;
  image?: string;
  labels?: Readonly<Record<string, string>>;
}

/** A chosen node; pass it to ClusterState.commit() to record the unit. */
export interface Placement {
  nodeId: string;
  request: UnitRequest;
  /** True when the soft pass failed and the hard pass (soft expressions ignored) chose the node. */
  softFallback: boolean;
}

export type SchedulingErrorKind =
  /** Malformed expression or request: the API layer maps this to 400. */
  | "invalid-request"
  /** No enabled node in the requested pool (tsuru's wording). */
  | "no-pool-nodes"
  /** Every node was unhealthy (Swarm's health filter). */
  | "no-healthy-node"
  /** Filters rejected every node (Swarm's "Unable to find a node…" message). */
  | "filters"
  /** Filters passed but no node had room (Swarm's strategy error). */
  | "no-resources"
  /** Removal or rebalance asked about an app+process without units. */
  | "no-units";

export interface SchedulingError {
  kind: SchedulingErrorKind;
  message: string;
  /** For kind "filters": the filters from the first up to the one that emptied the list. */
  filters?: string[];
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
