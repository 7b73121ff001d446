// Public surface of the store for the rest of Wharf.
export * from "./types.js";
export * from "./errors.js";
export { openStore } from "./open.js";
export { STALE_EVENT_ERROR } from "./sql/events-ops.js";
export { newEventId, EVENT_ID_RE } from "./ids.js";
