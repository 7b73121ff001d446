// Schema v15: the engine's image id of each app version as built. A node's cached copy of
// <registry>/<app>:vN may be another image (an app removed and created again under the same
// name, by any team, numbers its versions from v1 again): units compare before they start.
import type { Migration } from "../types.js";

export const m015: Migration = {
  version: 15,
  name: "015_version_image_id",
  sql: `
ALTER TABLE app_versions ADD COLUMN image_id TEXT NOT NULL DEFAULT '';
`,
};
