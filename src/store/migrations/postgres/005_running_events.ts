// Schema v5: running events by target. App list/info show each app's lock from the running app
// events; without this index that query walked every event of the target type (all of
// history), with it only the few running ones.
import type { Migration } from "../types.js";

export const m005: Migration = {
  version: 5,
  name: "005_running_events",
  sql: `
CREATE INDEX events_running_target ON events (target_type, start_time) WHERE running;
`,
};
