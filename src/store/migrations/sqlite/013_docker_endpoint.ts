// Schema v13: the Docker-API cluster endpoint. Client certificates it signed (checked on
// every request, so a revocation or a removed user cuts access at once); the containers
// teams created through it, written before the engine create so a crash is swept at start
// and so the scheduler counts them beside units; each pool's policy for them.
import type { Migration } from "../types.js";

export const m013: Migration = {
  version: 13,
  name: "013_docker_endpoint",
  sql: `
CREATE TABLE docker_certs (
  serial TEXT PRIMARY KEY,
  user_email TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  not_after INTEGER NOT NULL,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX docker_certs_user ON docker_certs (user_email);
CREATE TABLE docker_containers (
  swarm_id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  owner TEXT NOT NULL,
  pool TEXT NOT NULL,
  node TEXT NOT NULL,
  container_id TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  engine_name TEXT NOT NULL,
  image TEXT NOT NULL,
  memory INTEGER NOT NULL DEFAULT 0,
  cpus REAL NOT NULL DEFAULT 0,
  ports TEXT NOT NULL DEFAULT '[]',
  host_network INTEGER NOT NULL DEFAULT 0,
  exposed_ports TEXT NOT NULL DEFAULT '[]',
  reschedule INTEGER NOT NULL DEFAULT 0,
  config TEXT NOT NULL,
  phase TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX docker_containers_name ON docker_containers (team, name);
CREATE INDEX docker_containers_node ON docker_containers (node);
CREATE TABLE docker_pool_policies (
  pool TEXT PRIMARY KEY,
  allow_privileged INTEGER NOT NULL DEFAULT 0,
  allow_host_binds INTEGER NOT NULL DEFAULT 0,
  allow_host_namespaces INTEGER NOT NULL DEFAULT 0,
  allow_devices INTEGER NOT NULL DEFAULT 0,
  allow_cap_add INTEGER NOT NULL DEFAULT 0,
  containers_per_team INTEGER NOT NULL
);
`,
};
