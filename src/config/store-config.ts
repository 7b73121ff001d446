// The store this configuration names, for `wharf server`, `wharf router` and `server init`
// alike: PostgreSQL when WHARF_DATABASE_URL is set, else SQLite in <dataDir>/wharf.db.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { WharfConfig } from "./config.js";
import type { StoreConfig } from "../store/types.js";

export function storeConfigFor(config: WharfConfig): StoreConfig {
  if (config.databaseUrl) return { kind: "postgres", url: config.databaseUrl };
  mkdirSync(config.dataDir, { recursive: true });
  return { kind: "sqlite", path: join(config.dataDir, "wharf.db"), synchronous: config.sqliteSynchronous };
}
