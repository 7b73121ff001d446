// A numbered migration: SQL kept in a .ts module so `tsc` ships it with the build (no asset copy).
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Sanity check run at open: versions strictly increasing from 1 with no gaps. */
export function checkMigrations(list: Migration[]): Migration[] {
  list.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name}: expected version ${i + 1}, got ${m.version}`);
  });
  return list;
}
