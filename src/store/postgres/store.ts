// PostgreSQL backend for several Wharf servers sharing one database.
// Writes run in READ COMMITTED transactions on a pooled client; uniqueness, single-default and
// per-target locks are enforced by constraints, so concurrent servers need no coordination.
import pg from "pg";
import { postgresMigrations } from "../migrations/postgres/index.js";
import { appliedVersions, migrate } from "../sql/migrate.js";
import { buildStore, type Driver } from "../sql/store-base.js";
import type { Store, StoreConfig } from "../types.js";
import { PgExecutor, mapPgError } from "./executor.js";
import { ChangeListener } from "./listener.js";

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,50}$/;

// BIGINT (oid 20) columns hold epoch milliseconds, counters and seqs: all far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

export async function openPostgresStore(config: StoreConfig): Promise<Store> {
  if (config.kind !== "postgres") throw new Error("openPostgresStore needs a postgres config");
  const schema = config.schema ?? "public";
  if (!SCHEMA_RE.test(schema)) throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  const clientConfig: pg.ClientConfig = {
    connectionString: config.url,
    types,
    // Every pooled and listening connection works inside the configured schema; a read-only
    // store's transactions are refused every write by PostgreSQL itself.
    options: `-c search_path=${schema}${config.readOnly ? " -c default_transaction_read_only=on" : ""}`,
  };

  if (schema !== "public" && !config.readOnly) {
    const c = new pg.Client({ connectionString: config.url });
    await c.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } catch (err) {
      // Another server creating it at the same moment is fine.
      if ((err as { code?: string }).code !== "23505") throw err;
    } finally {
      await c.end();
    }
  }

  const pool = new pg.Pool({ ...clientConfig, max: config.poolSize ?? 10 });
  // Reads get their own pool: transactions queued on a hot row (one team's quota) hold pooled
  // clients, and reads waiting behind them for a client would inherit that latency.
  const readPool = new pg.Pool({ ...clientConfig, max: config.readPoolSize ?? config.poolSize ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  readPool.on("error", () => undefined);

  // Deadlocks (40P01) and serialization failures (40001) are transient by definition: PostgreSQL
  // rolled the transaction back, so running it again is safe for callbacks that only touch the store.
  async function transaction<T>(fn: (db: PgExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptTransaction(fn);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 3 || (code !== "40P01" && code !== "40001")) throw err;
      }
    }
  }

  // One executor per pooled connection (a connection runs one transaction at a time): the
  // store's operations over it are built once, not on every transaction (~100 closures each).
  const executors = new WeakMap<pg.PoolClient, PgExecutor>();
  async function attemptTransaction<T>(fn: (db: PgExecutor) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let db = executors.get(client);
    if (!db) {
      db = new PgExecutor(client);
      executors.set(client, db);
    }
    db.pendingAfterCommit = [];
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await fn(db);
      await client.query("COMMIT");
      const callbacks = db.pendingAfterCommit;
      db.pendingAfterCommit = null;
      for (const cb of callbacks) cb();
      return result;
    } catch (err) {
      db.pendingAfterCommit = null;
      await client.query("ROLLBACK").catch((e: Error) => (broken = e));
      throw mapPgError(err);
    } finally {
      // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
      client.release(broken);
    }
  }

  // Advisory lock keys are per schema so test schemas in one database do not serialize each other.
  const lockKey = (what: string) => `hashtext(current_schema() || ':${what}')`;
  try {
    // A read-only store reads the schema its servers migrated; it never changes it.
    if (!config.readOnly)
      await transaction(async (db) => {
        // Servers starting together must not race on CREATE TABLE.
        await db.get(`SELECT pg_advisory_xact_lock(${lockKey("wharf-migrate")}) AS l`);
        return migrate(db, async (sql) => void (await db.run(sql)), postgresMigrations);
      });
  } catch (err) {
    await Promise.all([pool.end(), readPool.end()]);
    throw err;
  }

  const channel = (schema === "public" ? "wharf_changes" : `wharf_changes_${schema}`).slice(0, 63);
  const listener = new ChangeListener(clientConfig, channel);

  // Single statements outside a transaction, on any pooled connection (one executor, so its
  // operations are built once).
  const autocommitter = new PgExecutor(pool);
  const leaders = new Set<pg.Client>();
  const driver: Driver = {
    kind: "postgres",
    transaction,
    reader: new PgExecutor(readPool),
    autocommit: (fn) => fn(autocommitter),
    signal: {
      // Sequence values are handed out at INSERT but become visible at COMMIT, so two concurrent
      // appenders could commit out of order and a reader at seq N would skip N-1 forever. This
      // transaction-scoped lock makes appenders commit in seq order.
      async beforeAppend(db) {
        await db.get(`SELECT pg_advisory_xact_lock(${lockKey("wharf-changes")}) AS l`);
      },
      // NOTIFY is delivered at commit, and not at all on rollback.
      async afterAppend(db, seq) {
        await db.get("SELECT pg_notify(?, ?) AS n", [channel, String(seq)]);
      },
    },
    onChangeHint: (cb) => listener.add(cb),
    // A session lock dies with its session: a crashed leader's lock is free as soon as
    // PostgreSQL notices the connection is gone.
    async tryLeadership(name) {
      const client = new pg.Client(clientConfig);
      let settle!: () => void;
      const lost = new Promise<void>((r) => (settle = r));
      client.on("error", () => settle());
      client.on("end", () => settle());
      try {
        await client.connect();
        const r = await client.query<{ ok: boolean }>(
          `SELECT pg_try_advisory_lock(${lockKey(`leader:${name}`)}) AS ok`,
        );
        if (!r.rows[0]?.ok) {
          await client.end();
          return null;
        }
      } catch (err) {
        await client.end().catch(() => undefined);
        throw mapPgError(err);
      }
      leaders.add(client);
      return {
        lost,
        async release() {
          if (!leaders.delete(client)) return;
          await client.end().catch(() => undefined);
        },
      };
    },
    migrationVersions: () => appliedVersions(new PgExecutor(readPool)),
    async close() {
      for (const c of [...leaders]) await c.end().catch(() => undefined);
      leaders.clear();
      await listener.close();
      await Promise.all([pool.end(), readPool.end()]);
    },
  };
  return buildStore(driver);
}
