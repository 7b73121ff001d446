// Schema v8: the containers behind instances of Wharf's built-in services (PostgreSQL,
// Redis). One row per instance, written before anything is created on a node, so a restart
// knows what a crashed provision or removal was doing: `phase` says which, `node` and
// `host_port` pin the instance to its volume's node and a port that survives restarts. The
// instance's credentials are stored sealed (AES-256-GCM, see src/router/secret-box.ts).
import type { Migration } from "../types.js";

const SQL = `
CREATE TABLE service_containers (
  uuid TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  instance TEXT NOT NULL,
  team_owner TEXT NOT NULL,
  plan TEXT NOT NULL,
  memory BIGINT NOT NULL,
  node TEXT NOT NULL DEFAULT '',
  host_port INTEGER NOT NULL DEFAULT 0,
  container_id TEXT NOT NULL DEFAULT '',
  volume TEXT NOT NULL,
  volume_created BOOLEAN NOT NULL DEFAULT FALSE,
  secrets_sealed TEXT NOT NULL,
  phase TEXT NOT NULL,
  purge BOOLEAN NOT NULL DEFAULT FALSE,
  message TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX service_containers_instance ON service_containers (service, instance);
CREATE UNIQUE INDEX service_containers_port ON service_containers (node, host_port) WHERE host_port > 0;
`;

export const m008: Migration = {
  version: 8,
  name: "008_service_containers",
  sql: SQL,
};
