// SQLite schema v3: what deploys and units need. Versions (built images with their
// processes), desired units per process, and units (one container each, placed on a node).
import type { Migration } from "../types.js";

export const m003: Migration = {
  version: 3,
  name: "003_deploys",
  sql: `
CREATE TABLE app_versions (
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  image TEXT NOT NULL DEFAULT '',
  processes TEXT NOT NULL DEFAULT '{}',
  manifest TEXT NOT NULL DEFAULT '{}',
  origin TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '',
  event_id TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (app, version)
);

CREATE TABLE app_processes (
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  process TEXT NOT NULL,
  units INTEGER NOT NULL DEFAULT 0,
  stopped INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app, process)
);

CREATE TABLE app_runtime (
  app TEXT PRIMARY KEY REFERENCES apps (name) ON DELETE CASCADE,
  routable_version INTEGER NOT NULL DEFAULT 0,
  restart_gen INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE units (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  process TEXT NOT NULL,
  version INTEGER NOT NULL,
  node TEXT NOT NULL,
  container_id TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '',
  port INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  routable INTEGER NOT NULL DEFAULT 0,
  restart_gen INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX units_app ON units (app, process);
CREATE INDEX units_node ON units (node);
`,
};
