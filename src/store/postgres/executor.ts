// Db over a pg Pool or a checked-out client: `?` placeholders become $1..$n, unique and
// foreign-key violations become typed errors.
import type pg from "pg";
import { ConflictError } from "../errors.js";
import type { Db, Param, Row } from "../sql/db.js";

/** Rewrites `?` to `$n`. Wharf's SQL never has `?` inside string literals, so a plain scan is enough. */
export function toDollar(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

export function mapPgError(err: unknown): unknown {
  const e = err as { code?: string; detail?: string; message?: string };
  if (e.code === "23505")
    // Not `detail`: it quotes the key, which for tokens would be a secret hash.
    return new ConflictError(
      `already exists (constraint ${(e as { constraint?: string }).constraint ?? "unique"})`,
    );
  if (e.code === "23503")
    return new ConflictError("a referenced record is missing or the record is still referenced");
  return err;
}

/**
 * Wharf's SQL texts are few and fixed (IN lists aside), so each is a named prepared statement:
 * PostgreSQL parses and plans it once per connection instead of on every call, and the
 * client sends Bind/Execute only. Texts past MAX_NAMED (long IN lists) stay unnamed, and so
 * do texts without parameters (see query).
 */
const MAX_NAMED = 2000;
const named = new Map<string, { name: string; text: string }>();

function statement(sql: string): { name?: string; text: string } {
  const hit = named.get(sql);
  if (hit) return hit;
  if (named.size >= MAX_NAMED) return { text: toDollar(sql) };
  const s = { name: `wharf_${named.size + 1}`, text: toDollar(sql) };
  named.set(sql, s);
  return s;
}

export class PgExecutor implements Db {
  readonly dialect = "postgres" as const;
  pendingAfterCommit: (() => void)[] | null = null;

  constructor(private readonly q: pg.Pool | pg.PoolClient) {}

  private async query(sql: string, params: Param[]): Promise<pg.QueryResult> {
    try {
      // Without parameters pg sends a simple query, which may hold several statements
      // (migrations, test resets): those are never prepared.
      if (params.length === 0) return await this.q.query(sql);
      return await this.q.query({
        ...statement(sql),
        values: params.map((p) => (p === undefined ? null : p)),
      });
    } catch (err) {
      throw mapPgError(err);
    }
  }

  async all<T = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: Param[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  afterCommit(fn: () => void): void {
    if (this.pendingAfterCommit) this.pendingAfterCommit.push(fn);
    else fn();
  }
}
