// SQLite schema v4: TLS certificates per cname (tsuru's app certificate routes). The private key
// is stored encrypted (AES-256-GCM, key outside the database); the certificate is public.
import type { Migration } from "../types.js";

export const m004: Migration = {
  version: 4,
  name: "004_certificates",
  sql: `
CREATE TABLE certificates (
  cname TEXT PRIMARY KEY,
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  certificate TEXT NOT NULL,
  key_encrypted TEXT NOT NULL,
  not_after INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX certificates_app ON certificates (app);
`,
};
