// Schema v10: what healing must keep across a server restart.
//  - per unit: replacements so far in its slot (restarts), why and when its last container
//    stopped (a unit's replacement inherits them, so app info shows a crash loop's history);
//  - per app: units lost with a node that no healthy node of the pool can take (capacity),
//    so app info says so on every server until capacity returns.
import type { Migration } from "../types.js";

export const m010: Migration = {
  version: 10,
  name: "010_unit_healing",
  sql: `
ALTER TABLE units ADD COLUMN restarts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN last_exit_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN last_exit_code INTEGER;
ALTER TABLE units ADD COLUMN last_exit_at INTEGER;
ALTER TABLE app_runtime ADD COLUMN capacity_missing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_runtime ADD COLUMN capacity_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE app_runtime ADD COLUMN capacity_since INTEGER;
`,
};
