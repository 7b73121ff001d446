// Schema v6: per-app placement constraints (Swarm expressions such as zone==a), applied by
// the scheduler to every new unit of the app.
import type { Migration } from "../types.js";

export const m006: Migration = {
  version: 6,
  name: "006_app_constraints",
  sql: `
ALTER TABLE app_runtime ADD COLUMN constraints TEXT NOT NULL DEFAULT '[]';
`,
};
