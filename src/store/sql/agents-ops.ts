// Node container configs (per name and pool) and node agents (node-scoped token hashes and
// the last report of each node's agent).
import type { NodeAgentRecord, NodeContainerRecord, NodeContainerSpec, StoreOps } from "../types.js";
import { type Db, type Row, fromJson, fromMs, fromMsOrNull, str, toJson } from "./db.js";

type AgentOps = Pick<
  StoreOps,
  | "setNodeContainer"
  | "listNodeContainers"
  | "deleteNodeContainer"
  | "setNodeAgent"
  | "findNodeAgent"
  | "findNodeAgentByHash"
  | "listNodeAgents"
  | "recordNodeAgentReport"
  | "deleteNodeAgent"
>;

const containerRow = (r: Row): NodeContainerRecord => ({
  name: str(r.name),
  pool: str(r.pool),
  spec: fromJson<NodeContainerSpec>(r.spec, {
    Name: str(r.name),
    PinnedImage: "",
    Disabled: null,
    Config: {},
    HostConfig: {},
  }),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

const agentRow = (r: Row): NodeAgentRecord => ({
  node: str(r.node),
  tokenHash: str(r.token_hash),
  container: str(r.container),
  createdAt: fromMs(r.created_at),
  lastReportAt: fromMsOrNull(r.last_report_at),
  report: fromJson<unknown>(r.report, {}),
});

export function agentOps(db: Db): AgentOps {
  return {
    async setNodeContainer(pool, spec) {
      const now = Date.now();
      await db.run(
        `INSERT INTO node_containers (name, pool, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name, pool) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`,
        [spec.Name, pool, toJson(spec), now, now],
      );
      const r = await db.get("SELECT * FROM node_containers WHERE name = ? AND pool = ?", [spec.Name, pool]);
      return containerRow(r!);
    },
    async listNodeContainers(filter = {}) {
      const rows = filter.name
        ? await db.all("SELECT * FROM node_containers WHERE name = ? ORDER BY name, pool", [filter.name])
        : await db.all("SELECT * FROM node_containers ORDER BY name, pool");
      return rows.map(containerRow);
    },
    async deleteNodeContainer(name, pool) {
      return pool === undefined
        ? db.run("DELETE FROM node_containers WHERE name = ?", [name])
        : db.run("DELETE FROM node_containers WHERE name = ? AND pool = ?", [name, pool]);
    },
    async setNodeAgent(a) {
      const now = Date.now();
      await db.run(
        `INSERT INTO node_agents (node, token_hash, container, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (node) DO UPDATE SET token_hash = excluded.token_hash,
           container = excluded.container, created_at = excluded.created_at`,
        [a.node, a.tokenHash, a.container, now],
      );
    },
    async findNodeAgent(node) {
      const r = await db.get("SELECT * FROM node_agents WHERE node = ?", [node]);
      return r ? agentRow(r) : null;
    },
    async findNodeAgentByHash(hash) {
      const r = await db.get("SELECT * FROM node_agents WHERE token_hash = ?", [hash]);
      return r ? agentRow(r) : null;
    },
    async listNodeAgents() {
      return (await db.all("SELECT * FROM node_agents ORDER BY node")).map(agentRow);
    },
    async recordNodeAgentReport(node, at, report) {
      await db.run("UPDATE node_agents SET last_report_at = ?, report = ? WHERE node = ?", [
        at.getTime(),
        toJson(report),
        node,
      ]);
    },
    async deleteNodeAgent(node) {
      await db.run("DELETE FROM node_agents WHERE node = ?", [node]);
    },
  };
}
