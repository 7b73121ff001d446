// Schema v7: services (tsuru service APIs registered from a manifest), Open Service Broker
// brokers, service instances and their bindings to apps. Broker passwords are stored sealed
// (AES-256-GCM, see src/router/secret-box.ts); a binding remembers the env names it added so
// unbind removes exactly those.
import type { Migration } from "../types.js";

export const m007: Migration = {
  version: 7,
  name: "007_services",
  sql: `
CREATE TABLE services (
  name TEXT PRIMARY KEY,
  endpoint TEXT NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  password_sealed TEXT NOT NULL DEFAULT '',
  team_owner TEXT NOT NULL,
  teams TEXT NOT NULL DEFAULT '[]',
  doc TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE service_brokers (
  name TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  auth_sealed TEXT NOT NULL DEFAULT '',
  config TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE service_instances (
  service TEXT NOT NULL,
  name TEXT NOT NULL,
  uuid TEXT NOT NULL UNIQUE,
  plan TEXT NOT NULL DEFAULT '',
  team_owner TEXT NOT NULL,
  teams TEXT NOT NULL DEFAULT '[]',
  description TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  parameters TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'ready',
  operation TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (service, name)
);
CREATE INDEX service_instances_team ON service_instances (team_owner);

CREATE TABLE service_bindings (
  service TEXT NOT NULL,
  instance TEXT NOT NULL,
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  binding_id TEXT NOT NULL,
  env_names TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (service, instance, app)
);
CREATE INDEX service_bindings_app ON service_bindings (app);
`,
};
