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

/**
 * A node's own TLS material in PEM (tsuru's node-add CaCert/ClientCert/ClientKey); what is left
 * out comes from the cluster's (WHARF_NODE_TLS_DIR).
 */
export interface NodeTls {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface NodeConnector {
  /**
   * The canonical form of a user-given engine address (https://HOST:PORT, or http:// only
   * when insecure). `ownTls`: the node brings its own certificates, so https needs no cluster
   * certificate. Throws a BadRequestError saying how to write it.
   */
  canonicalAddress(raw: string, insecure: boolean, ownTls?: boolean): string;
  /** Reads the engine's specs (with the node's own TLS material when given); throws a BadRequestError explaining why it could not. */
  probe(address: string, tls?: NodeTls): Promise<ProbedNode>;
  /** The TLS pieces a node bringing `own` still lacks (the cluster has none of its own to lend). */
  missingTls?(own: NodeTls): string[];
  /** Reach this node with its own TLS material from now on (null: the cluster's again). */
  useNodeTls?(address: string, tls: NodeTls | null): void;
  /** Starts/stops health monitoring of a registered node. */
  watch(address: string): void;
  unwatch(address: string): void;
  /** Health as this server's monitor sees it now, when it monitors the node. */
  health(address: string): NodeHealthRecord | undefined;
}
