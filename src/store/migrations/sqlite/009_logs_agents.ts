// Schema v9: app log history, node container configs and node agents.
// - app_logs keeps a bounded recent history per app (the API trims it to the newest N lines
//   on each append), so app log survives a server restart and every server on PostgreSQL
//   reads the same lines; removing an app removes its lines.
// - node_containers: one row per (name, pool); pool '' is the default for every pool.
// - node_agents: the node-scoped token (sha256) of each node's agent; removing the node
//   revokes it.
import type { Migration } from "../types.js";

export const m009: Migration = {
  version: 9,
  name: "009_logs_agents",
  sql: `
CREATE TABLE app_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  date INTEGER NOT NULL,
  source TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL
);
CREATE INDEX app_logs_app ON app_logs (app, id);
CREATE INDEX app_logs_unit ON app_logs (unit, date);

CREATE TABLE node_containers (
  name TEXT NOT NULL,
  pool TEXT NOT NULL DEFAULT '',
  spec TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (name, pool)
);

CREATE TABLE node_agents (
  node TEXT PRIMARY KEY REFERENCES nodes (address) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  container TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_report_at INTEGER,
  report TEXT NOT NULL DEFAULT '{}'
);
`,
};
