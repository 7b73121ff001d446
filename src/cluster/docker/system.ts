// The engine itself: is it there, and what is it (specs for node add and constraints).
import type { Connection } from "./connection.js";
import type { EngineInfo } from "./types.js";

export interface SystemClient {
  ping(): Promise<void>;
  /** GET /info. */
  info(): Promise<EngineInfo>;
}

export function systemClient(c: Connection): SystemClient {
  return {
    async ping() {
      await c.docker.ping();
    },
    async info() {
      return (await c.docker.info()) as EngineInfo;
    },
  };
}
