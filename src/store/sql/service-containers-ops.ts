// The containers behind built-in service instances (see ServiceContainerRecord). Credentials
// arrive sealed; this layer never sees a plaintext secret.
import { ConflictError, NotFoundError } from "../errors.js";
import type { ServiceContainerPhase, ServiceContainerRecord, StoreOps } from "../types.js";
import { type Db, type Param, type Row, Where, bool, fromMs, num, str } from "./db.js";

type ServiceContainerOps = Pick<
  StoreOps,
  | "createServiceContainer"
  | "findServiceContainer"
  | "listServiceContainers"
  | "updateServiceContainer"
  | "deleteServiceContainer"
>;

const row = (r: Row): ServiceContainerRecord => ({
  uuid: str(r.uuid),
  service: str(r.service),
  instance: str(r.instance),
  teamOwner: str(r.team_owner),
  plan: str(r.plan),
  memory: num(r.memory),
  node: str(r.node),
  hostPort: num(r.host_port),
  containerId: str(r.container_id),
  volume: str(r.volume),
  volumeCreated: bool(r.volume_created),
  secretsSealed: str(r.secrets_sealed),
  phase: str(r.phase) as ServiceContainerPhase,
  purge: bool(r.purge),
  message: str(r.message),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

export function serviceContainerOps(db: Db): ServiceContainerOps {
  const find = async (uuid: string) => {
    const r = await db.get("SELECT * FROM service_containers WHERE uuid = ?", [uuid]);
    return r ? row(r) : null;
  };
  return {
    findServiceContainer: find,
    async createServiceContainer(c) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO service_containers (uuid, service, instance, team_owner, plan, memory, node, host_port,
           container_id, volume, volume_created, secrets_sealed, phase, purge, message, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          c.uuid,
          c.service,
          c.instance,
          c.teamOwner,
          c.plan,
          c.memory,
          c.node,
          c.hostPort,
          c.containerId,
          c.volume,
          c.volumeCreated,
          c.secretsSealed,
          c.phase,
          c.purge,
          c.message,
          now,
          now,
        ],
      );
      if (n === 0)
        throw new ConflictError(
          `service container for ${c.service}/${c.instance} (or its node port) already exists`,
          "service container",
          `${c.service}/${c.instance}`,
        );
      return (await find(c.uuid))!;
    },
    async listServiceContainers(filter = {}) {
      const w = new Where();
      if (filter.service !== undefined) w.add("service = ?", filter.service);
      if (filter.node !== undefined) w.add("node = ?", filter.node);
      const rows = await db.all(`SELECT * FROM service_containers ${w} ORDER BY service, instance`, w.params);
      return rows.map(row);
    },
    async updateServiceContainer(uuid, patch) {
      const cols: Record<string, Param> = {
        node: patch.node,
        host_port: patch.hostPort,
        container_id: patch.containerId,
        volume_created: patch.volumeCreated,
        phase: patch.phase,
        purge: patch.purge,
        message: patch.message,
        plan: patch.plan,
        memory: patch.memory,
        updated_at: Date.now(),
      };
      const set = Object.entries(cols).filter(([, v]) => v !== undefined);
      const n = await db.run(
        `UPDATE service_containers SET ${set.map(([c]) => `${c} = ?`).join(", ")} WHERE uuid = ?`,
        [...set.map(([, v]) => v), uuid],
      );
      if (n === 0) throw new NotFoundError("service container", uuid);
      return (await find(uuid))!;
    },
    async deleteServiceContainer(uuid) {
      await db.run("DELETE FROM service_containers WHERE uuid = ?", [uuid]);
    },
  };
}
