// The composition root (issue 15): what `wharf server` and `wharf router` run, and what tests
// assemble a server with. Nothing else in src/ imports this folder.
export { createServer, type ServerDeps, type WharfServer } from "./create.js";
export { startServer, initAdminFromConfig, type RunningServer, type StartOptions } from "./start.js";
export { startRouter, type RouterRun } from "./router.js";
export { createLogger } from "../api/server.js";
export { initAdmin } from "../domain/services/auth.js";
