// Records of the Docker-API cluster endpoint (src/dockerapi): the client certificates it
// issued, the containers teams created through it, and each pool's policy for them.

/** A client certificate Wharf's Docker CA signed for a user; checked on every request. */
export interface DockerCertRecord {
  /** Lowercase hex, as the certificate carries it. */
  serial: string;
  userEmail: string;
  /** SHA-256 of the certificate (DER), lowercase hex: the request's certificate must be this one. */
  fingerprint: string;
  notAfter: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

/**
 * creating: written before the engine create (a crash leaves it for the start-up sweep);
 * created: on its node; rescheduling: claimed by a server moving it off a dead node.
 */
export type DockerContainerPhase = "creating" | "created" | "rescheduling";

export interface DockerPortBinding {
  hostPort: string;
  hostIp: string;
}

/** A container a team created through the endpoint: who owns it, where it is, what it reserves. */
export interface DockerContainerRecord {
  /** Swarm's com.docker.swarm.id: 64 hex characters, kept across rescheduling. */
  swarmId: string;
  team: string;
  owner: string;
  pool: string;
  /** Node address (https://IP:PORT). */
  node: string;
  /** The engine's container id; "" while creating. */
  containerId: string;
  /** The name the team sees (unique per team); the engine knows it as engineName. */
  name: string;
  engineName: string;
  image: string;
  /** Reservations as the scheduler counts them (bytes; CPUs). */
  memory: number;
  cpus: number;
  ports: DockerPortBinding[];
  hostNetwork: boolean;
  exposedPorts: string[];
  /** reschedule:on-node-failure */
  reschedule: boolean;
  /** The create body as sent to the engine (JSON), so rescheduling recreates the same container. */
  config: string;
  phase: DockerContainerPhase;
  createdAt: Date;
  updatedAt: Date;
}

export type DockerContainerPatch = Partial<
  Pick<DockerContainerRecord, "node" | "containerId" | "name" | "phase" | "config" | "pool">
>;

/** What the endpoint lets teams do on a pool; every relaxation is off by default. */
export interface DockerPoolPolicy {
  pool: string;
  allowPrivileged: boolean;
  allowHostBinds: boolean;
  allowHostNamespaces: boolean;
  allowDevices: boolean;
  allowCapAdd: boolean;
  /** Containers one team may have on the pool through the endpoint; -1 = no limit. */
  containersPerTeam: number;
}

export const DEFAULT_CONTAINERS_PER_TEAM = 100;

export function defaultDockerPoolPolicy(pool: string): DockerPoolPolicy {
  return {
    pool,
    allowPrivileged: false,
    allowHostBinds: false,
    allowHostNamespaces: false,
    allowDevices: false,
    allowCapAdd: false,
    containersPerTeam: DEFAULT_CONTAINERS_PER_TEAM,
  };
}
