// The small executor both drivers provide. All record logic (src/store/sql/*-ops.ts) is written
// once against it, so SQLite and PostgreSQL cannot drift apart in behaviour.
//
// SQL written for it uses `?` placeholders (the PostgreSQL driver rewrites them to $n), stores
// times as epoch milliseconds (BIGINT), JSON as TEXT and booleans as the dialect's native type
// (the SQLite driver turns JS booleans into 0/1).

export type Param = string | number | boolean | null | undefined;
export type Row = Record<string, unknown>;

export interface Db {
  readonly dialect: "sqlite" | "postgres";
  all<T = Row>(sql: string, params?: Param[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: Param[]): Promise<T | undefined>;
  /** Returns the number of affected rows. */
  run(sql: string, params?: Param[]): Promise<number>;
  /** Run fn after the surrounding transaction commits (immediately when there is none). */
  afterCommit(fn: () => void): void;
}

export const toMs = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);
export const fromMs = (v: unknown): Date => new Date(Number(v));
export const fromMsOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : fromMs(v));
export const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t";
export const num = (v: unknown): number => Number(v);
export const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

export function toJson(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v);
}

export function fromJson<T>(v: unknown, fallback: T): T {
  if (typeof v !== "string" || v === "") return fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** "?, ?, ?" for an IN list. Callers must not pass an empty list. */
export const marks = (n: number): string => new Array(n).fill("?").join(", ");

/** Escape a string for use inside LIKE ... ESCAPE '\'. */
export const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Builds "WHERE a = ? AND b IN (...)" incrementally. */
export class Where {
  readonly parts: string[] = [];
  readonly params: Param[] = [];
  add(sql: string, ...params: Param[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }
  in(column: string, values: readonly Param[]): this {
    // An empty IN list matches nothing; "1 = 0" keeps that meaning valid in both dialects.
    if (values.length === 0) return this.add("1 = 0");
    return this.add(`${column} IN (${marks(values.length)})`, ...values);
  }
  toString(): string {
    return this.parts.length ? `WHERE ${this.parts.join(" AND ")}` : "";
  }
}
