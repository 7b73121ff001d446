// The embedded default: one SQLite file in the data directory, WAL journal.
// One writer connection (serialized by a mutex, BEGIN IMMEDIATE so other processes wait on the
// file lock instead of failing mid-transaction) and one read-only connection so reads never
// queue behind writes.
import { EventEmitter } from "node:events";
import Database from "better-sqlite3";
import { sqliteMigrations } from "../migrations/sqlite/index.js";
import { appliedVersions, migrate } from "../sql/migrate.js";
import { buildStore, type Driver } from "../sql/store-base.js";
import type { Store, StoreConfig } from "../types.js";
import { SqliteExecutor, mapSqliteError } from "./executor.js";
import { Mutex } from "./mutex.js";

type SqliteConfig = Extract<StoreConfig, { kind: "sqlite" }>;

function configure(conn: Database.Database, cfg: SqliteConfig): void {
  conn.pragma(`busy_timeout = ${Math.max(0, Math.floor(cfg.busyTimeoutMs ?? 5000))}`);
  conn.pragma("foreign_keys = ON");
}

export async function openSqliteStore(config: StoreConfig): Promise<Store> {
  if (config.kind !== "sqlite") throw new Error("openSqliteStore needs a sqlite config");
  const memory = config.path === ":memory:";
  const conn = new Database(config.path);
  configure(conn, config);
  if (!memory) conn.pragma("journal_mode = WAL");
  // WAL + FULL: each COMMIT fsyncs the WAL, so an acknowledged write survives kill -9 and power
  // loss. NORMAL survives kill -9 too (the OS keeps the written pages) but not power loss.
  conn.pragma(`synchronous = ${config.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`);

  const writer = new SqliteExecutor(conn);
  const mutex = new Mutex();
  const changed = new EventEmitter();
  changed.setMaxListeners(0);

  async function transaction<T>(fn: (db: SqliteExecutor) => Promise<T>): Promise<T> {
    return mutex.run(async () => {
      try {
        conn.exec("BEGIN IMMEDIATE");
      } catch (err) {
        throw mapSqliteError(err);
      }
      writer.pendingAfterCommit = [];
      try {
        const result = await fn(writer);
        conn.exec("COMMIT");
        const callbacks = writer.pendingAfterCommit;
        writer.pendingAfterCommit = null;
        for (const cb of callbacks) cb();
        return result;
      } catch (err) {
        writer.pendingAfterCommit = null;
        if (conn.inTransaction) conn.exec("ROLLBACK");
        throw err;
      }
    });
  }

  try {
    await transaction((db) => migrate(db, async (sql) => void conn.exec(sql), sqliteMigrations));
  } catch (err) {
    conn.close();
    throw err;
  }

  // ":memory:" is private to its connection, so reads share the writer (through the mutex).
  let readConn: Database.Database | null = null;
  if (!memory) {
    readConn = new Database(config.path, { readonly: true });
    configure(readConn, config);
  }
  const reader = readConn ? new SqliteExecutor(readConn) : null;

  const driver: Driver = {
    kind: "sqlite",
    transaction,
    reader: reader ?? {
      dialect: "sqlite",
      all: (sql, p) => transaction((db) => db.all(sql, p)),
      get: (sql, p) => transaction((db) => db.get(sql, p)),
      run: (sql, p) => transaction((db) => db.run(sql, p)),
      afterCommit: (fn) => fn(),
    },
    signal: {
      // Other processes on the same file are reached by subscribers' polling.
      async afterAppend(db) {
        db.afterCommit(() => changed.emit("change"));
      },
    },
    async onChangeHint(cb) {
      changed.on("change", cb);
      return async () => void changed.off("change", cb);
    },
    migrationVersions: () => transaction((db) => appliedVersions(db)),
    async close() {
      await mutex.run(async () => {
        readConn?.close();
        if (conn.open) conn.close();
      });
    },
  };
  return buildStore(driver);
}
