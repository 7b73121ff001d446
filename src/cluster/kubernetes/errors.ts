// Kubernetes API failures as Wharf's error values, with sentences that say what to fix.
// Every call the adapter makes names its operation (verb, resource, namespace, name), so a
// 403 says which right is missing where, and a connection failure says whether the
// address, the CA or the credentials are wrong. Nothing from a request body (secret
// values) is ever put in a message.
import { ApiException } from "@kubernetes/client-node";
import { WharfError } from "../../domain/errors.js";

export interface KubeOperation {
  verb: "get" | "list" | "watch" | "create" | "update" | "patch" | "delete";
  /** As Kubernetes names it in RBAC: "deployments.apps", "pods/exec", "nodes". */
  resource: string;
  namespace?: string;
  name?: string;
}

export type KubeErrorKind =
  | "unreachable"
  | "tls"
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "conflict"
  | "already-exists"
  | "gone"
  | "invalid"
  | "server";

/** A Kubernetes API failure; `kind` lets callers react (retry on conflict, re-list on gone). */
export class KubeApiError extends WharfError {
  constructor(
    status: number,
    message: string,
    readonly kind: KubeErrorKind,
    /** The API server's own message, when it sent a Status. */
    readonly serverMessage?: string,
  ) {
    super(status, message);
  }
}

export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
]);
const NET_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ECONNRESET",
  "EAI_AGAIN",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Parses a Status out of an error body (a JSON string or an object), if it is one. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  let v = body;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v && typeof v === "object" && (v as KubeStatus).kind === "Status" ? (v as KubeStatus) : undefined;
}

/** The network or TLS error code somewhere in an error's cause chain. */
export function errorCode(e: unknown): string | undefined {
  for (
    let cur = e as { code?: unknown; cause?: unknown; errno?: unknown } | undefined, i = 0;
    cur && i < 5;
    cur = cur.cause as typeof cur, i++
  ) {
    if (typeof cur.code === "string") return cur.code;
    if (typeof cur.errno === "string") return cur.errno;
  }
  const m = /\b(E[A-Z]{4,}|[A-Z_]{6,}_CERT[A-Z_]*|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT)\b/.exec(
    String((e as Error)?.message ?? ""),
  );
  return m?.[1];
}

function where(op: KubeOperation): string {
  const obj = op.name ? `${op.resource} "${op.name}"` : op.resource;
  return op.namespace ? `${obj} in namespace "${op.namespace}"` : obj;
}

/** Maps an HTTP status and Status body from the API server to a Wharf error. */
export function fromStatus(
  server: string,
  op: KubeOperation,
  code: number,
  status: KubeStatus | undefined,
): KubeApiError {
  const said = status?.message;
  const their = said ? ` (the API server said: ${said})` : "";
  switch (code) {
    case 401:
      return new KubeApiError(
        401,
        `the Kubernetes API server at ${server} did not accept Wharf's credentials (401 Unauthorized): the bearer token or client certificate is wrong, expired or revoked; give valid credentials for the cluster`,
        "unauthorized",
        said,
      );
    case 403: {
      const scope = op.namespace ? `in namespace "${op.namespace}"` : "at the cluster scope";
      return new KubeApiError(
        403,
        `the credentials Wharf uses for ${server} lack rights to ${op.verb} ${op.resource} ${scope}${their}; grant them with an RBAC Role or ClusterRole binding, or give credentials that have them`,
        "forbidden",
        said,
      );
    }
    case 404:
      return new KubeApiError(404, `${where(op)} not found on ${server}${their}`, "not-found", said);
    case 409:
      return status?.reason === "AlreadyExists"
        ? new KubeApiError(409, `${where(op)} already exists on ${server}`, "already-exists", said)
        : new KubeApiError(
            409,
            `${where(op)} was changed by someone else while Wharf updated it; try again${their}`,
            "conflict",
            said,
          );
    case 410:
      return new KubeApiError(
        410,
        `the API server at ${server} no longer keeps the version Wharf asked for ${where(op)} from${their}`,
        "gone",
        said,
      );
    case 400:
    case 422:
      return new KubeApiError(
        400,
        `the API server at ${server} refused to ${op.verb} ${where(op)}: ${said ?? "invalid request"}`,
        "invalid",
        said,
      );
    default:
      return new KubeApiError(
        code >= 500 ? 503 : 502,
        `the API server at ${server} failed to ${op.verb} ${where(op)} (HTTP ${code})${their}; check the cluster's health`,
        "server",
        said,
      );
  }
}

/** Maps anything a client-node call threw to a Wharf error about `op` on `server`. */
export function kubeError(server: string, op: KubeOperation, e: unknown): WharfError {
  if (e instanceof KubeApiError) return e;
  if (e instanceof ApiException) return fromStatus(server, op, e.code, parseStatus(e.body));
  const withCode = e as { statusCode?: number; code?: unknown };
  if (typeof withCode?.statusCode === "number") return fromStatus(server, op, withCode.statusCode, undefined);
  const m = /Unexpected server response: (\d{3})/.exec(String((e as Error)?.message ?? ""));
  if (m) return fromStatus(server, op, Number(m[1]), undefined);
  const code = errorCode(e);
  if (code && TLS_CODES.has(code)) {
    return new KubeApiError(
      400,
      `the Kubernetes API server at ${server} presented a certificate that the configured CA does not vouch for (${code}): give the cluster's own CA certificate (--cacert, or certificate-authority-data in the kubeconfig) and an address the certificate names`,
      "tls",
    );
  }
  if (code && NET_CODES.has(code)) {
    return new KubeApiError(
      503,
      `the Kubernetes API server at ${server} cannot be reached (${code}): check the cluster address and that the API server is up and reachable from Wharf`,
      "unreachable",
    );
  }
  if (/EPROTO|wrong version number|handshake|socket hang up/i.test(String((e as Error)?.message))) {
    return new KubeApiError(
      503,
      `the Kubernetes API server at ${server} closed the connection during the TLS handshake: check that the address is the API server's HTTPS port`,
      "unreachable",
    );
  }
  return new KubeApiError(
    503,
    `calling the Kubernetes API server at ${server} to ${op.verb} ${where(op)} failed: ${(e as Error)?.message ?? String(e)}`,
    "server",
  );
}

export const isKind = (e: unknown, kind: KubeErrorKind): boolean =>
  e instanceof KubeApiError && e.kind === kind;
