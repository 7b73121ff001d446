// PostgreSQL schema v1: the same tables as SQLite's. Times are epoch milliseconds (BIGINT) so
// both dialects share one SQL layer; JSON columns are TEXT for the same reason.
import type { Migration } from "../types.js";

export const m001: Migration = {
  version: 1,
  name: "001_initial",
  sql: `
CREATE TABLE users (
  email TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  quota_limit BIGINT NOT NULL DEFAULT -1,
  quota_inuse BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE teams (
  name TEXT PRIMARY KEY,
  tags TEXT NOT NULL DEFAULT '[]',
  creator_email TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  quota_limit BIGINT NOT NULL DEFAULT -1,
  quota_inuse BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE tokens (
  token_id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('session', 'api-key', 'team')),
  user_email TEXT REFERENCES users (email) ON UPDATE CASCADE ON DELETE CASCADE,
  team TEXT REFERENCES teams (name) ON UPDATE CASCADE ON DELETE CASCADE,
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  last_access BIGINT
);
CREATE INDEX tokens_user ON tokens (user_email);
CREATE INDEX tokens_team ON tokens (team);

CREATE TABLE roles (
  name TEXT PRIMARY KEY,
  context_type TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  permissions TEXT NOT NULL DEFAULT '[]',
  events TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE role_bindings (
  subject_type TEXT NOT NULL CHECK (subject_type IN ('user', 'token')),
  subject TEXT NOT NULL,
  role_name TEXT NOT NULL REFERENCES roles (name) ON UPDATE CASCADE ON DELETE CASCADE,
  context_value TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (subject_type, subject, role_name, context_value)
);
CREATE INDEX role_bindings_role ON role_bindings (role_name);
CREATE INDEX role_bindings_context ON role_bindings (context_value);

CREATE TABLE pools (
  name TEXT PRIMARY KEY,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  is_public BOOLEAN NOT NULL DEFAULT FALSE,
  provisioner TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL
);
-- At most one default pool, enforced by the database.
CREATE UNIQUE INDEX pools_single_default ON pools (is_default) WHERE is_default;

CREATE TABLE pool_constraints (
  pool_expr TEXT NOT NULL,
  field TEXT NOT NULL CHECK (field IN ('team', 'router', 'service', 'plan')),
  vals TEXT NOT NULL DEFAULT '[]',
  blacklist BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (pool_expr, field)
);

CREATE TABLE platforms (
  name TEXT PRIMARY KEY,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  version BIGINT NOT NULL DEFAULT 0,
  image TEXT NOT NULL DEFAULT '',
  images TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL
);

CREATE TABLE plans (
  name TEXT PRIMARY KEY,
  memory BIGINT NOT NULL DEFAULT 0,
  swap BIGINT NOT NULL DEFAULT 0,
  cpu_milli BIGINT NOT NULL DEFAULT 0,
  cpu_share BIGINT NOT NULL DEFAULT 0,
  is_default BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX plans_single_default ON plans (is_default) WHERE is_default;

CREATE TABLE apps (
  name TEXT PRIMARY KEY,
  platform TEXT NOT NULL REFERENCES platforms (name),
  platform_version TEXT NOT NULL DEFAULT '',
  plan TEXT NOT NULL REFERENCES plans (name),
  pool TEXT NOT NULL REFERENCES pools (name),
  team_owner TEXT NOT NULL REFERENCES teams (name) ON UPDATE CASCADE,
  owner TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  routers TEXT NOT NULL DEFAULT '[]',
  quota_limit BIGINT NOT NULL DEFAULT -1,
  quota_inuse BIGINT NOT NULL DEFAULT 0,
  deploys BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX apps_pool ON apps (pool);
CREATE INDEX apps_team_owner ON apps (team_owner);
CREATE INDEX apps_owner ON apps (owner);

CREATE TABLE app_teams (
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  team TEXT NOT NULL REFERENCES teams (name) ON UPDATE CASCADE,
  PRIMARY KEY (app, team)
);
CREATE INDEX app_teams_team ON app_teams (team);

CREATE TABLE app_cnames (
  cname TEXT PRIMARY KEY,
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE
);
CREATE INDEX app_cnames_app ON app_cnames (app);

CREATE TABLE app_env (
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  public BOOLEAN NOT NULL DEFAULT TRUE,
  alias TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (app, name)
);

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  kind_type TEXT NOT NULL,
  kind_name TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_value TEXT NOT NULL,
  extra_targets TEXT NOT NULL DEFAULT '[]',
  owner_type TEXT NOT NULL,
  owner_name TEXT NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT,
  running BOOLEAN NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  log TEXT NOT NULL DEFAULT '',
  start_data TEXT NOT NULL DEFAULT 'null',
  end_data TEXT NOT NULL DEFAULT 'null',
  other_data TEXT NOT NULL DEFAULT 'null',
  cancelable BOOLEAN NOT NULL DEFAULT FALSE,
  cancel_info TEXT NOT NULL DEFAULT '{}',
  instance_id TEXT NOT NULL DEFAULT '',
  lock_update_time BIGINT NOT NULL
);
CREATE INDEX events_start ON events (start_time);
CREATE INDEX events_target ON events (target_type, target_value, start_time);
CREATE INDEX events_kind ON events (kind_name, start_time);
CREATE INDEX events_owner ON events (owner_name, start_time);
CREATE INDEX events_running ON events (instance_id) WHERE running;

-- Per-target locks: the primary key is the lock. Rows live only while their event runs.
CREATE TABLE event_locks (
  target_type TEXT NOT NULL,
  target_value TEXT NOT NULL,
  event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  PRIMARY KEY (target_type, target_value)
);
CREATE INDEX event_locks_event ON event_locks (event_id);

-- A sequence never reuses values, even after pruning.
CREATE TABLE changes (
  seq BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
`,
};
