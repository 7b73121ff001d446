// What node services need from the cluster side (implemented in src/cluster/nodes), so the
// domain never talks to Docker engines itself.
import type { NodeHealthRecord } from "../../store/types.js";

export interface ProbedNode {
  engineId: string;
  name: string;
  cpus: number;
  memory: number;
  labels: Record<string, string>;
  /** Engine labels that were ignored, with the reason. */
  warnings: string[];
}

export interface NodeConnector {
  /**
   * The canonical form of a user-given engine address (https://HOST:PORT, or http:// only
   * when insecure). Throws a BadRequestError saying how to write it.
   */
  canonicalAddress(raw: string, insecure: boolean): string;
  /** Reads the engine's specs; throws a BadRequestError explaining why it could not. */
  probe(address: string): Promise<ProbedNode>;
  /** Starts/stops health monitoring of a registered node. */
  watch(address: string): void;
  unwatch(address: string): void;
  /** Health as this server's monitor sees it now, when it monitors the node. */
  health(address: string): NodeHealthRecord | undefined;
}
