// PostgreSQL schema v2: nodes (Docker engines in pools) with their specs and last known health.
import type { Migration } from "../types.js";

export const m002: Migration = {
  version: 2,
  name: "002_nodes",
  sql: `
CREATE TABLE nodes (
  address TEXT PRIMARY KEY,
  pool TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  engine_id TEXT NOT NULL UNIQUE,
  engine_name TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  cpus BIGINT NOT NULL DEFAULT 0,
  memory BIGINT NOT NULL DEFAULT 0,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  health TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX nodes_pool ON nodes (pool);
`,
};
