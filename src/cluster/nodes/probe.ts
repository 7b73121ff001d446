// Reaching a node's engine for the first time (node add) or again (health checks), turning
// transport failures into sentences an operator can act on.
import type { Engine } from "../docker/engine.js";
import { specsFromInfo, type EngineInfo, type NodeSpecs } from "./specs.js";

export class NodeUnreachableError extends Error {
  constructor(
    message: string,
    /** "tls" when the failure is about certificates; the API answers those with 400. */
    readonly reason: "tls" | "refused" | "timeout" | "protocol" | "other",
  ) {
    super(message);
  }
}

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

/** Maps a transport error from an engine call to a sentence naming the node and what to do. */
export function explainEngineError(address: string, err: unknown): NodeUnreachableError {
  const e = err as NodeJS.ErrnoException & { reason?: string; statusCode?: number };
  const code = e.code ?? "";
  const text = `${e.message ?? ""} ${e.reason ?? ""}`;
  if (code === "ECONNREFUSED") {
    return new NodeUnreachableError(
      `nothing accepts connections at ${address}: is dockerd listening there?`,
      "refused",
    );
  }
  if (code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT" || /timeout/i.test(text)) {
    return new NodeUnreachableError(
      `${address} did not answer in time: check the address and the network`,
      "timeout",
    );
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new NodeUnreachableError(`no route to ${address}: check the address and the network`, "timeout");
  }
  if (TLS_CODES.has(code) || /certificate|ssl|tls|alert/i.test(text) || code === "ECONNRESET") {
    return new NodeUnreachableError(
      `TLS with ${address} failed (${code || e.message}): the node's certificate must be issued by Wharf's CA ` +
        `and the node must accept Wharf's client certificate`,
      "tls",
    );
  }
  if (e.statusCode === 400 && /HTTP request to an HTTPS server/i.test(text)) {
    return new NodeUnreachableError(`${address} expects TLS: use https://`, "protocol");
  }
  return new NodeUnreachableError(`${address} failed: ${e.message ?? String(err)}`, "other");
}

export async function probeNode(engine: Engine, address: string): Promise<NodeSpecs> {
  let info: EngineInfo;
  try {
    info = (await engine.system.info()) as unknown as EngineInfo;
  } catch (err) {
    throw explainEngineError(address, err);
  }
  return specsFromInfo(info);
}

export async function pingNode(engine: Engine, address: string): Promise<void> {
  try {
    await engine.system.ping();
  } catch (err) {
    throw explainEngineError(address, err);
  }
}
