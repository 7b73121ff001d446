// Schema v14: a pool's allow-list of external images (registry/path patterns, JSON array).
// Empty means any external image may be deployed; the cluster registry is governed apart.
import type { Migration } from "../types.js";

export const m014: Migration = {
  version: 14,
  name: "014_pool_image_allowlist",
  sql: `
ALTER TABLE pools ADD COLUMN image_allowlist TEXT NOT NULL DEFAULT '[]';
`,
};
