// Schema v11: the rest of tsuru's client surface.
//  - user_keys: SSH public keys per user (key-add/list/remove), unique by fingerprint across users
//    so a key names one user;
//  - password_resets: the sha256 of each out-of-band reset token, its expiry and whether it was used;
//  - api_key_secrets: each user API key sealed with the server's secret key, so token-show can show
//    the existing key (tokens keeps only the hash it authenticates with);
//  - event_blocks: tsuru's event blocks (a kind/owner/target freeze with a reason);
//  - event_webhooks: HTTP calls on matching events; the signing secret is sealed; all_events says
//    the hook hears every event (set up by someone who may read them all), else only its team's;
//  - pool_log_settings / pool_healing: per-pool log driver and node healer settings (pool '' holds
//    the defaults for every pool);
//  - node_tls: per-node CA and client certificate (tsuru's node-add CaCert/ClientCert/ClientKey),
//    the key sealed; removing the node removes them.
import type { Migration } from "../types.js";

export const m011: Migration = {
  version: 11,
  name: "011_tsuru_surface",
  sql: `
CREATE TABLE user_keys (
  user_email TEXT NOT NULL REFERENCES users (email) ON UPDATE CASCADE ON DELETE CASCADE,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_email, name)
);

CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  user_email TEXT NOT NULL REFERENCES users (email) ON UPDATE CASCADE ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX password_resets_user ON password_resets (user_email);

CREATE TABLE api_key_secrets (
  token_id TEXT PRIMARY KEY REFERENCES tokens (token_id) ON DELETE CASCADE,
  sealed TEXT NOT NULL
);

CREATE TABLE event_blocks (
  id TEXT PRIMARY KEY,
  start_time BIGINT NOT NULL,
  end_time BIGINT,
  kind_name TEXT NOT NULL DEFAULT '',
  owner_name TEXT NOT NULL DEFAULT '',
  target_type TEXT NOT NULL DEFAULT '',
  target_value TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX event_blocks_active ON event_blocks (active, start_time);

CREATE TABLE event_webhooks (
  name TEXT PRIMARY KEY,
  team_owner TEXT NOT NULL REFERENCES teams (name) ON UPDATE CASCADE ON DELETE CASCADE,
  description TEXT NOT NULL DEFAULT '',
  event_filter TEXT NOT NULL DEFAULT '{}',
  url TEXT NOT NULL,
  proxy_url TEXT NOT NULL DEFAULT '',
  headers TEXT NOT NULL DEFAULT '{}',
  method TEXT NOT NULL DEFAULT 'POST',
  body TEXT NOT NULL DEFAULT '',
  insecure BOOLEAN NOT NULL DEFAULT FALSE,
  secret_sealed TEXT NOT NULL DEFAULT '',
  all_events BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE pool_log_settings (
  pool TEXT PRIMARY KEY,
  driver TEXT NOT NULL,
  opts TEXT NOT NULL DEFAULT '{}',
  updated_at BIGINT NOT NULL
);

CREATE TABLE pool_healing (
  pool TEXT PRIMARY KEY,
  enabled BOOLEAN,
  max_unresponsive_s INTEGER,
  max_since_success_s INTEGER,
  updated_at BIGINT NOT NULL
);

CREATE TABLE node_tls (
  address TEXT PRIMARY KEY REFERENCES nodes (address) ON DELETE CASCADE,
  ca_cert TEXT NOT NULL DEFAULT '',
  client_cert TEXT NOT NULL DEFAULT '',
  client_key_sealed TEXT NOT NULL DEFAULT ''
);
`,
};
