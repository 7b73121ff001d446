// A SQLite store opened only to read what another process (a running `wharf server`) keeps:
// one read-only connection, no migration, no writer, so opening it can neither change the
// file nor take its write lock. Used by local tools such as `wharf dev cluster`.
import Database from "better-sqlite3";
import { appliedVersions } from "../sql/migrate.js";
import { buildStore } from "../sql/store-base.js";
import type { Store, StoreConfig } from "../types.js";
import { SqliteExecutor } from "./executor.js";

export function openReadOnlySqliteStore(config: Extract<StoreConfig, { kind: "sqlite" }>): Store {
  // fileMustExist: a missing store is an error here, never a new empty file.
  const conn = new Database(config.path, { readonly: true, fileMustExist: true });
  conn.pragma(`busy_timeout = ${Math.max(0, Math.floor(config.busyTimeoutMs ?? 5000))}`);
  const reader = new SqliteExecutor(conn);
  return buildStore({
    kind: "sqlite",
    transaction: () => Promise.reject(new Error(`the store at ${config.path} was opened read-only`)),
    reader,
    signal: {},
    // Nothing is written through this store; other processes' changes are seen by polling.
    onChangeHint: async () => async () => undefined,
    migrationVersions: () => appliedVersions(reader),
    async close() {
      conn.close();
    },
  });
}
