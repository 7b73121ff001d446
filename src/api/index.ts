// What the CLI wires: `wharf server` → startServer(loadConfig()), `wharf server init` → initAdmin.
export {
  createServer,
  startServer,
  storeConfigFor,
  initAdmin,
  initAdminFromConfig,
  type RunningServer,
  type StartOptions,
  type ServerDeps,
} from "./server.js";
export { loadConfig, defaultConfig, type WharfConfig } from "../config/config.js";
