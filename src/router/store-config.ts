// The store a router opens: the same one `wharf server` uses for this configuration (PostgreSQL
// when WHARF_DATABASE_URL is set, else <dataDir>/wharf.db), without loading the API server.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { WharfConfig } from "../config/config.js";
import type { StoreConfig } from "../store/types.js";

export function storeConfig(config: WharfConfig): StoreConfig {
  if (config.databaseUrl) return { kind: "postgres", url: config.databaseUrl };
  mkdirSync(config.dataDir, { recursive: true });
  return { kind: "sqlite", path: join(config.dataDir, "wharf.db"), synchronous: config.sqliteSynchronous };
}
