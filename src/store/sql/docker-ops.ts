// The Docker-API endpoint's records: client certificates, containers teams made through
// it, and per-pool policies (see src/store/docker-types.ts).
import { ConflictError, NotFoundError } from "../errors.js";
import {
  defaultDockerPoolPolicy,
  type DockerCertRecord,
  type DockerContainerPhase,
  type DockerContainerRecord,
  type DockerPoolPolicy,
} from "../docker-types.js";
import type { StoreOps } from "../types.js";
import {
  type Db,
  type Param,
  type Row,
  Where,
  bool,
  fromJson,
  fromMs,
  fromMsOrNull,
  num,
  str,
  toJson,
  toMs,
} from "./db.js";

type DockerOps = Pick<
  StoreOps,
  | "createDockerCert"
  | "findDockerCert"
  | "listDockerCerts"
  | "revokeDockerCert"
  | "createDockerContainer"
  | "findDockerContainer"
  | "listDockerContainers"
  | "updateDockerContainer"
  | "deleteDockerContainer"
  | "getDockerPoolPolicy"
  | "setDockerPoolPolicy"
>;

const cert = (r: Row): DockerCertRecord => ({
  serial: str(r.serial),
  userEmail: str(r.user_email),
  fingerprint: str(r.fingerprint),
  notAfter: fromMs(r.not_after),
  revokedAt: fromMsOrNull(r.revoked_at),
  createdAt: fromMs(r.created_at),
});

const container = (r: Row): DockerContainerRecord => ({
  swarmId: str(r.swarm_id),
  team: str(r.team),
  owner: str(r.owner),
  pool: str(r.pool),
  node: str(r.node),
  containerId: str(r.container_id),
  name: str(r.name),
  engineName: str(r.engine_name),
  image: str(r.image),
  memory: num(r.memory),
  cpus: num(r.cpus),
  ports: fromJson(r.ports, []),
  hostNetwork: bool(r.host_network),
  exposedPorts: fromJson(r.exposed_ports, []),
  reschedule: bool(r.reschedule),
  config: str(r.config),
  phase: str(r.phase) as DockerContainerPhase,
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

const policy = (r: Row): DockerPoolPolicy => ({
  pool: str(r.pool),
  allowPrivileged: bool(r.allow_privileged),
  allowHostBinds: bool(r.allow_host_binds),
  allowHostNamespaces: bool(r.allow_host_namespaces),
  allowDevices: bool(r.allow_devices),
  allowCapAdd: bool(r.allow_cap_add),
  containersPerTeam: num(r.containers_per_team),
});

export function dockerOps(db: Db): DockerOps {
  const findCert = async (serial: string) => {
    const r = await db.get("SELECT * FROM docker_certs WHERE serial = ?", [serial]);
    return r ? cert(r) : null;
  };
  const findContainer = async (swarmId: string) => {
    const r = await db.get("SELECT * FROM docker_containers WHERE swarm_id = ?", [swarmId]);
    return r ? container(r) : null;
  };
  return {
    findDockerCert: findCert,
    async createDockerCert(c) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO docker_certs (serial, user_email, fingerprint, not_after, revoked_at, created_at)
         VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING`,
        [c.serial, c.userEmail, c.fingerprint, toMs(c.notAfter), now],
      );
      if (n === 0)
        throw new ConflictError(`certificate ${c.serial} already exists`, "docker certificate", c.serial);
      return (await findCert(c.serial))!;
    },
    async listDockerCerts(filter = {}) {
      const w = new Where();
      if (filter.userEmail !== undefined) w.add("user_email = ?", filter.userEmail);
      const rows = await db.all(`SELECT * FROM docker_certs ${w} ORDER BY created_at, serial`, w.params);
      return rows.map(cert);
    },
    async revokeDockerCert(serial, at = new Date()) {
      const n = await db.run(
        "UPDATE docker_certs SET revoked_at = COALESCE(revoked_at, ?) WHERE serial = ?",
        [toMs(at), serial],
      );
      if (n === 0) throw new NotFoundError("docker certificate", serial);
    },
    findDockerContainer: findContainer,
    async createDockerContainer(c) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO docker_containers (swarm_id, team, owner, pool, node, container_id, name, engine_name, image,
           memory, cpus, ports, host_network, exposed_ports, reschedule, config, phase, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          c.swarmId,
          c.team,
          c.owner,
          c.pool,
          c.node,
          c.containerId,
          c.name,
          c.engineName,
          c.image,
          c.memory,
          c.cpus,
          toJson(c.ports),
          c.hostNetwork,
          toJson(c.exposedPorts),
          c.reschedule,
          c.config,
          c.phase,
          now,
          now,
        ],
      );
      if (n === 0)
        throw new ConflictError(`the name ${c.name} is already assigned`, "docker container", c.name);
      return (await findContainer(c.swarmId))!;
    },
    async listDockerContainers(filter = {}) {
      const w = new Where();
      if (filter.teams !== undefined) w.in("team", filter.teams);
      if (filter.node !== undefined) w.add("node = ?", filter.node);
      if (filter.pool !== undefined) w.add("pool = ?", filter.pool);
      const rows = await db.all(
        `SELECT * FROM docker_containers ${w} ORDER BY created_at, swarm_id`,
        w.params,
      );
      return rows.map(container);
    },
    async updateDockerContainer(swarmId, patch, expect = {}) {
      const cols: Record<string, Param> = {
        node: patch.node,
        container_id: patch.containerId,
        name: patch.name,
        phase: patch.phase,
        config: patch.config,
        pool: patch.pool,
        updated_at: Date.now(),
      };
      const set = Object.entries(cols).filter(([, v]) => v !== undefined);
      const w = new Where().add("swarm_id = ?", swarmId);
      if (expect.node !== undefined) w.add("node = ?", expect.node);
      if (expect.phase !== undefined) w.add("phase = ?", expect.phase);
      let n: number;
      try {
        n = await db.run(`UPDATE docker_containers SET ${set.map(([c]) => `${c} = ?`).join(", ")} ${w}`, [
          ...set.map(([, v]) => v),
          ...w.params,
        ]);
      } catch (e) {
        // The only unique key an update can break is (team, name): a rename onto a used name.
        if (patch.name !== undefined && /unique|duplicate/i.test((e as Error).message))
          throw new ConflictError(
            `the name ${patch.name} is already assigned`,
            "docker container",
            patch.name,
          );
        throw e;
      }
      return n === 0 ? null : findContainer(swarmId);
    },
    async deleteDockerContainer(swarmId) {
      await db.run("DELETE FROM docker_containers WHERE swarm_id = ?", [swarmId]);
    },
    async getDockerPoolPolicy(pool) {
      const r = await db.get("SELECT * FROM docker_pool_policies WHERE pool = ?", [pool]);
      return r ? policy(r) : defaultDockerPoolPolicy(pool);
    },
    async setDockerPoolPolicy(p) {
      await db.run(
        `INSERT INTO docker_pool_policies (pool, allow_privileged, allow_host_binds, allow_host_namespaces,
           allow_devices, allow_cap_add, containers_per_team) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (pool) DO UPDATE SET allow_privileged = excluded.allow_privileged,
           allow_host_binds = excluded.allow_host_binds, allow_host_namespaces = excluded.allow_host_namespaces,
           allow_devices = excluded.allow_devices, allow_cap_add = excluded.allow_cap_add,
           containers_per_team = excluded.containers_per_team`,
        [
          p.pool,
          p.allowPrivileged,
          p.allowHostBinds,
          p.allowHostNamespaces,
          p.allowDevices,
          p.allowCapAdd,
          p.containersPerTeam,
        ],
      );
      return p;
    },
  };
}
