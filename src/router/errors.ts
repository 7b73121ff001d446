// Short plain-text answers the router itself gives, and how upstream errors map onto them.
import type { ServerResponse } from "node:http";

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

export class TotalTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`backend did not finish within ${ms} ms`);
  }
}

/** Error codes meaning "the backend could not be reached or dropped the connection". */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
  "UND_ERR_DESTROYED",
]);

export type UpstreamErrorKind = "connect" | "connect_timeout" | "timeout" | "too_large" | "other";

export function classify(err: unknown): UpstreamErrorKind {
  if (err instanceof BodyTooLargeError) return "too_large";
  if (err instanceof TotalTimeoutError) return "timeout";
  const code = (err as { code?: string } | null)?.code ?? "";
  if (code === "UND_ERR_CONNECT_TIMEOUT") return "connect_timeout";
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return "timeout";
  if (CONNECTION_CODES.has(code)) return "connect";
  return "other";
}

/** Status and one-sentence body for an error that happened before any response byte was sent. */
export function errorResponse(kind: UpstreamErrorKind, err: unknown): [number, string] {
  switch (kind) {
    case "too_large":
      return [413, `request body too large: the limit is ${(err as BodyTooLargeError).limit} bytes\n`];
    case "timeout":
      return [504, "gateway timeout: the app did not answer in time\n"];
    case "connect_timeout":
      return [503, "service unavailable: the app's unit did not accept a connection in time\n"];
    case "connect":
      return [502, "bad gateway: could not reach the app's unit\n"];
    default:
      return [502, "bad gateway: the app's unit sent an invalid response\n"];
  }
}

export function sendText(res: ServerResponse, status: number, body: string, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string | number> = {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  };
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(body);
}
