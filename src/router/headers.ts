// Header rewriting in both directions. Works on raw header arrays (no object building per request)
// and drops hop-by-hop headers, which describe one connection and must not be forwarded.
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  // Node's server already answered 100-continue to the client; the backend must not wait for one.
  "expect",
]);
// Set by the router itself, never taken from the client as-is.
const REPLACED = new Set(["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"]);

// Request ids: a random per-process prefix plus a counter is unique across workers and routers and
// far cheaper than a UUID per request.
const idPrefix = randomBytes(6).toString("hex");
let idCounter = 0;
export function newRequestId(): string {
  return idPrefix + (++idCounter).toString(16).padStart(8, "0");
}

/** Extra names listed in a Connection header are hop-by-hop too (RFC 9110 7.6.1). */
function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase();
  if (v === "keep-alive" || v === "close") return undefined;
  return new Set(v.split(",").map((s) => s.trim()));
}

/** Request headers for the upstream: client headers minus hop-by-hop, plus X-Forwarded-* and X-Request-Id. */
export function forwardedHeaders(req: IncomingMessage, encrypted: boolean, upgrade?: string): string[] {
  const raw = req.rawHeaders;
  const extra = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let priorFor: string | undefined;
  let requestId: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || extra?.has(lower)) continue;
    if (REPLACED.has(lower)) {
      if (lower === "x-forwarded-for") priorFor = priorFor ? priorFor + ", " + raw[i + 1] : raw[i + 1];
      continue;
    }
    if (lower === "x-request-id") requestId = raw[i + 1];
    out.push(name, raw[i + 1]!);
  }
  const ip = req.socket.remoteAddress ?? "";
  out.push("x-forwarded-for", priorFor ? `${priorFor}, ${ip}` : ip);
  out.push("x-forwarded-proto", encrypted ? "https" : "http");
  if (req.headers.host !== undefined) out.push("x-forwarded-host", req.headers.host);
  if (requestId === undefined) out.push("x-request-id", newRequestId());
  if (upgrade) out.push("connection", "upgrade", "upgrade", upgrade);
  return out;
}

/** Response headers for the client, from the parser's flat [name, value] pairs, minus hop-by-hop ones. */
export function responseHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1]!);
  }
  return out;
}
