// Events double as per-target locks; the persistence (event_locks table, LockedError,
// closeStaleEvents) lives in the store. This folder holds the process-side helpers.
export { startEventHeartbeat, staleBefore, type Heartbeat } from "./heartbeat.js";
export { STALE_EVENT_ERROR } from "../store/sql/events-ops.js";
export { newEventId, EVENT_ID_RE } from "../store/ids.js";
