// What every handler of the endpoint gets: the store, the node engines, the node state
// cache, and the request being served (with the caller's scope loaded once per request).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Store } from "../store/types.js";
import type { Engines } from "./engines.js";
import type { Caller } from "./identity.js";
import type { NodeStates } from "./node-state.js";
import type { Scope } from "./scope.js";
import type { DockerRecords } from "./records.js";

export interface EndpointCtx {
  store: Store;
  engines: Engines;
  states: NodeStates;
  /** This server's copy of the endpoint's container records (what requests list). */
  records: DockerRecords;
  log: Logger;
  /** host:port of the cluster registry ("" = none): app repositories there belong to their teams. */
  registry: string;
  /** Exec ids made through this server → the container they run in. */
  execs: Map<string, { node: string; swarmId: string }>;
  /** Serialises creates so each decision sees the previous one's reservation (Swarm's scheduler lock). */
  createLock: { tail: Promise<unknown> };
  /** When this server started (ms): work another instance of it left half done predates it. */
  startedAt: number;
}

export interface Call {
  ctx: EndpointCtx;
  req: IncomingMessage;
  res: ServerResponse;
  /** "/v1.41" or "" : kept on every request proxied to an engine, so it applies its own version rules. */
  version: string;
  /** Path without the version prefix and without the query. */
  path: string;
  query: URLSearchParams;
  /** Path parameters captured by the route. */
  params: string[];
  caller: Caller;
  scope(): Promise<Scope>;
}

export type Handler = (c: Call) => Promise<void>;
