// Db over a better-sqlite3 connection: synchronous calls wrapped as promises, JS booleans bound
// as 0/1, constraint violations turned into typed errors.
import type Database from "better-sqlite3";
import { ConflictError } from "../errors.js";
import type { Db, Param, Row } from "../sql/db.js";

type Bound = string | number | bigint | null;

function bind(params: Param[]): Bound[] {
  return params.map((p) => (p === undefined ? null : typeof p === "boolean" ? (p ? 1 : 0) : p));
}

/** Unique/primary-key/foreign-key violations become ConflictError; everything else passes through. */
export function mapSqliteError(err: unknown): unknown {
  const code = (err as { code?: string }).code ?? "";
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY")
    return new ConflictError(`already exists (${(err as Error).message})`);
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY")
    return new ConflictError("a referenced record is missing or the record is still referenced");
  return err;
}

export class SqliteExecutor implements Db {
  readonly dialect = "sqlite" as const;
  private readonly cache = new Map<string, Database.Statement>();
  /** Set while a transaction is open: callbacks to run after COMMIT. */
  pendingAfterCommit: (() => void)[] | null = null;

  constructor(private readonly conn: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.conn.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }

  private call<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(mapSqliteError(err));
    }
  }

  all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.call(() => this.prepare(sql).all(...bind(params)) as T[]);
  }

  get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return this.call(() => this.prepare(sql).get(...bind(params)) as T | undefined);
  }

  run(sql: string, params: Param[] = []): Promise<number> {
    return this.call(() => this.prepare(sql).run(...bind(params)).changes);
  }

  afterCommit(fn: () => void): void {
    if (this.pendingAfterCommit) this.pendingAfterCommit.push(fn);
    else fn();
  }
}
