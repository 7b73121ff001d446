// Nodes: Docker engines in pools, their specs as labels, and their last recorded health.
import { ConflictError, NotFoundError } from "../errors.js";
import type { NodeHealthRecord, NodeRecord, StoreOps } from "../types.js";
import { type Db, type Row, Where, bool, fromJson, fromMs, num, str, toJson } from "./db.js";

type NodeOps = Pick<
  StoreOps,
  "createNode" | "getNode" | "findNode" | "listNodes" | "updateNode" | "setNodeHealth" | "deleteNode"
>;

interface StoredHealth {
  state?: NodeHealthRecord["state"];
  failures?: number;
  lastSuccess?: number | null;
  lastError?: string;
  lastErrorAt?: number | null;
  since?: number;
}

function healthFromJson(v: unknown, createdAt: Date): NodeHealthRecord {
  const h = fromJson<StoredHealth>(v, {});
  return {
    state: h.state ?? "pending",
    failures: h.failures ?? 0,
    lastSuccess: h.lastSuccess ? new Date(h.lastSuccess) : null,
    lastError: h.lastError ?? "",
    lastErrorAt: h.lastErrorAt ? new Date(h.lastErrorAt) : null,
    since: h.since ? new Date(h.since) : createdAt,
  };
}

function healthToJson(h: NodeHealthRecord): string {
  const stored: StoredHealth = {
    state: h.state,
    failures: h.failures,
    lastSuccess: h.lastSuccess?.getTime() ?? null,
    lastError: h.lastError,
    lastErrorAt: h.lastErrorAt?.getTime() ?? null,
    since: h.since.getTime(),
  };
  return toJson(stored);
}

const nodeRow = (r: Row): NodeRecord => {
  const createdAt = fromMs(r.created_at);
  return {
    address: str(r.address),
    pool: str(r.pool),
    metadata: fromJson<Record<string, string>>(r.metadata, {}),
    engineId: str(r.engine_id),
    engineName: str(r.engine_name),
    labels: fromJson<Record<string, string>>(r.labels, {}),
    cpus: num(r.cpus),
    memory: num(r.memory),
    disabled: bool(r.disabled),
    health: healthFromJson(r.health, createdAt),
    createdAt,
    updatedAt: fromMs(r.updated_at),
  };
};

export function nodeOps(db: Db): NodeOps {
  const findNode = async (address: string) => {
    const r = await db.get("SELECT * FROM nodes WHERE address = ?", [address]);
    return r ? nodeRow(r) : null;
  };
  const getNode = async (address: string) => {
    const n = await findNode(address);
    if (!n) throw new NotFoundError("node", address);
    return n;
  };
  return {
    findNode,
    getNode,
    async createNode(n) {
      const now = Date.now();
      const health = n.health ?? {
        state: "pending",
        failures: 0,
        lastSuccess: null,
        lastError: "",
        lastErrorAt: null,
        since: new Date(now),
      };
      const inserted = await db.run(
        `INSERT INTO nodes (address, pool, metadata, engine_id, engine_name, labels, cpus, memory, disabled, health,
                            created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          n.address,
          n.pool,
          toJson(n.metadata),
          n.engineId,
          n.engineName,
          toJson(n.labels),
          n.cpus,
          n.memory,
          n.disabled,
          healthToJson(health),
          now,
          now,
        ],
      );
      if (inserted === 0) {
        const same = await findNode(n.address);
        if (same) throw new ConflictError(`node ${n.address} is already registered`, "node", n.address);
        const byEngine = await db.get<{ address: string }>("SELECT address FROM nodes WHERE engine_id = ?", [
          n.engineId,
        ]);
        throw new ConflictError(
          `this engine is already registered as node ${byEngine?.address ?? "(unknown)"}`,
          "node",
          n.address,
        );
      }
      return getNode(n.address);
    },
    async listNodes(filter = {}) {
      const w = new Where();
      if (filter.pool !== undefined) w.add("pool = ?", filter.pool);
      const rows = await db.all(`SELECT * FROM nodes ${w} ORDER BY address`, w.params);
      return rows.map(nodeRow);
    },
    async updateNode(address, patch) {
      const sets: string[] = [];
      const params: Array<string | number | boolean> = [];
      const set = (col: string, v: string | number | boolean) => {
        sets.push(`${col} = ?`);
        params.push(v);
      };
      if (patch.pool !== undefined) set("pool", patch.pool);
      if (patch.metadata !== undefined) set("metadata", toJson(patch.metadata));
      if (patch.disabled !== undefined) set("disabled", patch.disabled);
      if (patch.labels !== undefined) set("labels", toJson(patch.labels));
      if (patch.cpus !== undefined) set("cpus", patch.cpus);
      if (patch.memory !== undefined) set("memory", patch.memory);
      if (patch.engineName !== undefined) set("engine_name", patch.engineName);
      set("updated_at", Date.now());
      const changed = await db.run(`UPDATE nodes SET ${sets.join(", ")} WHERE address = ?`, [
        ...params,
        address,
      ]);
      if (changed === 0) throw new NotFoundError("node", address);
      return getNode(address);
    },
    async setNodeHealth(address, health) {
      await db.run("UPDATE nodes SET health = ? WHERE address = ?", [healthToJson(health), address]);
    },
    async deleteNode(address) {
      const removed = await db.run("DELETE FROM nodes WHERE address = ?", [address]);
      if (removed === 0) throw new NotFoundError("node", address);
    },
  };
}
