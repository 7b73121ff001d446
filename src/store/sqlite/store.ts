// The embedded default: one SQLite file in the data directory, WAL journal.
// One writer connection (transactions group-committed, see group-commit.ts; BEGIN IMMEDIATE so other processes wait on the
// file lock instead of failing mid-transaction) and one read-only connection so reads never
// queue behind writes.
import { EventEmitter } from "node:events";
import Database from "better-sqlite3";
import { sqliteMigrations } from "../migrations/sqlite/index.js";
import { appliedVersions, migrate } from "../sql/migrate.js";
import { buildStore, type Driver } from "../sql/store-base.js";
import type { Store, StoreConfig } from "../types.js";
import { SqliteExecutor, mapSqliteError } from "./executor.js";
import { Checkpointer } from "./checkpointer.js";
import { type CommitSync, GroupCommitter, IN_COMMIT } from "./group-commit.js";
import { WalSync } from "./wal-sync.js";

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
  // Switching to WAL needs the file lock once (it is persistent); let it wait like any other open.
  if (!memory) conn.pragma("journal_mode = WAL");
  conn.pragma("busy_timeout = 0");
  // FULL (the default): every acknowledged write survives kill -9 and power loss. The WAL
  // fsync FULL would do inside COMMIT is done by WalSync off the event loop instead, so the
  // connection itself runs NORMAL (see wal-sync.ts). NORMAL as configured survives kill -9
  // (the OS keeps the written pages) but not power loss. In memory there is nothing to sync.
  const full = config.synchronous !== "NORMAL";
  conn.pragma(`synchronous = ${full && memory ? "FULL" : "NORMAL"}`);
  const walSync = full && !memory ? new WalSync(`${config.path}-wal`) : undefined;

  const writer = new SqliteExecutor(conn);
  const changed = new EventEmitter();
  changed.setMaxListeners(0);

  // The writer's busy_timeout is 0 and we retry BEGIN IMMEDIATE on a timer instead: SQLite's
  // busy handler sleeps synchronously, which would freeze the event loop, and a second store on
  // the same file in this process (tests, `wharf server init`) could then never finish its
  // transaction and release the lock. Once BEGIN IMMEDIATE succeeds we hold the write lock, and
  // in WAL mode nothing else in the transaction waits on other connections.
  const busyTimeoutMs = config.busyTimeoutMs ?? 5000;
  async function beginImmediate(): Promise<void> {
    const deadline = Date.now() + busyTimeoutMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        conn.exec("BEGIN IMMEDIATE");
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "SQLITE_BUSY" || Date.now() >= deadline)
          throw mapSqliteError(err);
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  // Set once migrations ran (below); until then SQLite checkpoints inside COMMIT as usual.
  let checkpointer: Checkpointer | null = null;
  const base = walSync ?? IN_COMMIT;
  const sync: CommitSync = {
    hold: () => base.hold(),
    flush: () => base.flush(),
    release: () => {
      base.release();
      checkpointer?.committed();
    },
  };
  const committer = new GroupCommitter(conn, writer, beginImmediate, sync);
  const transaction = <T>(fn: (db: SqliteExecutor) => Promise<T>): Promise<T> => committer.run(fn);

  try {
    await transaction((db) => migrate(db, async (sql) => void conn.exec(sql), sqliteMigrations));
  } catch (err) {
    await walSync?.close();
    conn.close();
    throw err;
  }

  // ":memory:" is private to its connection, so reads share the writer (see `reader` below).
  let readConn: Database.Database | null = null;
  if (!memory) {
    readConn = new Database(config.path, { readonly: true });
    configure(readConn, config);
    walSync?.attachReader(readConn);
    checkpointer = new Checkpointer(conn, config.path);
  }
  const reader = readConn ? new SqliteExecutor(readConn) : null;

  const driver: Driver = {
    kind: "sqlite",
    transaction,
    // In memory there is no second connection; reads go straight to the writer (synchronously,
    // so they cannot deadlock behind a batch) and may see a batch in progress. Tests only.
    reader: reader ?? writer,
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
      await committer.idle();
      await checkpointer?.close();
      await walSync?.close();
      readConn?.close();
      if (conn.open) conn.close();
    },
  };
  return buildStore(driver);
}
