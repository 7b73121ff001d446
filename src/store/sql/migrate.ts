// Applies numbered migrations inside the caller's transaction. Re-running is a no-op: applied
// versions are recorded in schema_migrations in the same transaction as their DDL.
import type { Migration } from "../migrations/types.js";
import { type Db, num } from "./db.js";

export async function migrate(
  db: Db,
  execScript: (sql: string) => Promise<void>,
  migrations: Migration[],
): Promise<number[]> {
  await execScript(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const applied = new Set(
    (await db.all<{ version: unknown }>("SELECT version FROM schema_migrations")).map((r) => num(r.version)),
  );
  const newest = Math.max(0, ...applied);
  if (newest > migrations.length)
    throw new Error(
      `database schema is at version ${newest} but this Wharf only knows up to ${migrations.length}; ` +
        `run a newer Wharf or restore a matching backup`,
    );
  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await execScript(m.sql);
    await db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
      m.version,
      m.name,
      Date.now(),
    ]);
    done.push(m.version);
  }
  return done;
}

export async function appliedVersions(db: Db): Promise<number[]> {
  return (await db.all<{ version: unknown }>("SELECT version FROM schema_migrations ORDER BY version")).map(
    (r) => num(r.version),
  );
}
