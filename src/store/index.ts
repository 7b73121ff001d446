// Public surface of the store for the rest of Wharf.
export * from "./types.js";
export * from "./errors.js";
export { openStore } from "./open.js";
