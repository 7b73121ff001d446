// Header rewriting in both directions, straight from the parser's flat [name, value, ...] arrays to
// the head text the other side gets (no header objects per request). Hop-by-hop headers describe
// one connection and are never forwarded. Header text is latin1 both ways: llhttp hands header
// bytes over as latin1 strings and the writers encode them back as latin1, byte for byte.
import { randomBytes } from "node:crypto";

// Request ids: a random per-process prefix plus a counter is unique across workers and routers and
// far cheaper than a UUID per request.
const idPrefix = randomBytes(6).toString("hex");
let idCounter = 0;
export function newRequestId(): string {
  return idPrefix + (++idCounter).toString(16).padStart(8, "0");
}

/** What the proxy needs to know about a client request, read in the same pass that builds its head. */
export interface RequestHead {
  host: string | undefined;
  /** -1 when the request has no Content-Length. */
  contentLength: number;
  /** Transfer-Encoding present (llhttp only accepts requests whose last coding is chunked). */
  chunked: boolean;
  expectContinue: boolean;
  /** Request line and headers for the upstream, each line ending in CRLF, without the blank line. */
  upstream: string;
}

/** Extra names listed in a Connection header are hop-by-hop too (RFC 9110 7.6.1). */
function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase();
  if (v === "keep-alive" || v === "close") return undefined;
  const names = new Set(v.split(",").map((s) => s.trim()));
  names.delete("keep-alive");
  names.delete("close");
  return names.size > 0 ? names : undefined;
}

/** How a request header is treated on its way to the backend. */
const enum H {
  Pass,
  Drop,
  Host,
  Expect,
  Connection,
  RequestId,
  ContentLength,
  TransferEncoding,
  ForwardedFor,
  Replaced,
}

/** `name` equals `lower` (a lower-case token) ignoring ASCII case, without allocating a copy. */
function is(name: string, lower: string): boolean {
  // Header names are tokens (llhttp checks), so `| 0x20` only folds A-Z onto a-z here.
  for (let i = 0; i < lower.length; i++)
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/**
 * How a client request header is treated, by length first: most headers (accept, user-agent,
 * cookie...) have a length no special name has and are passed on after one switch.
 */
function requestHeaderKind(name: string): H {
  switch (name.length) {
    case 2:
      return is(name, "te") ? H.Drop : H.Pass;
    case 4:
      return is(name, "host") ? H.Host : H.Pass;
    case 6:
      // The router answers 100-continue itself; the backend must not wait for one.
      return is(name, "expect") ? H.Expect : H.Pass;
    case 7:
      return is(name, "trailer") || is(name, "upgrade") ? H.Drop : H.Pass;
    case 10:
      return is(name, "connection") ? H.Connection : is(name, "keep-alive") ? H.Drop : H.Pass;
    case 12:
      return is(name, "x-request-id") ? H.RequestId : H.Pass;
    case 14:
      return is(name, "content-length") ? H.ContentLength : H.Pass;
    case 15:
      return is(name, "x-forwarded-for") ? H.ForwardedFor : H.Pass;
    case 16:
      // X-Forwarded-Proto/Host are set by the router itself, never taken from the client as-is.
      return is(name, "x-forwarded-host") ? H.Replaced : is(name, "proxy-connection") ? H.Drop : H.Pass;
    case 17:
      return is(name, "transfer-encoding")
        ? H.TransferEncoding
        : is(name, "x-forwarded-proto")
          ? H.Replaced
          : H.Pass;
    case 18:
      return is(name, "proxy-authenticate") ? H.Drop : H.Pass;
    case 19:
      return is(name, "proxy-authorization") ? H.Drop : H.Pass;
    default:
      return H.Pass;
  }
}

/** How a backend response header is treated: hop-by-hop ones describe the backend connection. */
const enum R {
  Pass,
  Drop,
  KeepAlive,
  ContentLength,
}

function responseHeaderKind(name: string): R {
  switch (name.length) {
    case 7:
      return is(name, "trailer") || is(name, "upgrade") ? R.Drop : R.Pass;
    case 10:
      return is(name, "connection") ? R.Drop : is(name, "keep-alive") ? R.KeepAlive : R.Pass;
    case 14:
      return is(name, "content-length") ? R.ContentLength : R.Pass;
    case 16:
      return is(name, "proxy-connection") ? R.Drop : R.Pass;
    case 17:
      return is(name, "transfer-encoding") ? R.Drop : R.Pass;
    case 18:
      return is(name, "proxy-authenticate") ? R.Drop : R.Pass;
    default:
      return R.Pass;
  }
}

/**
 * One pass over the client's raw headers: reads Host, framing and Expect, and builds the upstream head
 * (hop-by-hop headers dropped, X-Forwarded-For appended, X-Forwarded-Proto/Host replaced, X-Request-Id
 * kept or added). `upgrade` forwards an Upgrade request's protocol with its Connection header.
 */
export function requestHead(
  method: string,
  url: string,
  raw: readonly string[],
  remoteAddress: string,
  encrypted: boolean,
  upgrade?: string,
): RequestHead {
  let lines = "";
  let host: string | undefined;
  let contentLength = -1;
  let chunked = false;
  let expectContinue = false;
  let connection: string | undefined;
  let priorFor: string | undefined;
  let requestId = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    switch (requestHeaderKind(name)) {
      case H.Pass:
        lines += name + ": " + value + "\r\n";
        continue;
      case H.Drop:
      case H.Replaced:
        continue;
      case H.Host:
        if (host === undefined) host = value;
        lines += name + ": " + value + "\r\n";
        continue;
      case H.Expect:
        if (value.toLowerCase() === "100-continue") expectContinue = true;
        continue;
      case H.Connection:
        connection = connection === undefined ? value : connection + ", " + value;
        continue;
      case H.RequestId:
        requestId = true;
        lines += name + ": " + value + "\r\n";
        continue;
      case H.ContentLength:
        contentLength = Number(value);
        lines += name + ": " + value + "\r\n";
        continue;
      case H.TransferEncoding:
        chunked = true;
        continue;
      case H.ForwardedFor:
        priorFor = priorFor === undefined ? value : priorFor + ", " + value;
        continue;
    }
  }
  const extra = connectionTokens(connection);
  if (extra) lines = dropNamed(lines, extra);
  lines += "x-forwarded-for: " + (priorFor === undefined ? remoteAddress : priorFor + ", " + remoteAddress);
  lines += encrypted ? "\r\nx-forwarded-proto: https\r\n" : "\r\nx-forwarded-proto: http\r\n";
  if (host !== undefined) lines += "x-forwarded-host: " + host + "\r\n";
  if (!requestId) lines += "x-request-id: " + newRequestId() + "\r\n";
  if (upgrade !== undefined) lines += "connection: upgrade\r\nupgrade: " + upgrade + "\r\n";
  // Chunked bodies are re-framed towards the backend (the upstream connection adds the header).
  if (chunked && contentLength >= 0) contentLength = -1;
  return {
    host,
    contentLength,
    chunked,
    expectContinue,
    upstream: method + " " + url + " HTTP/1.1\r\n" + lines,
  };
}

/** Rare path: the client's Connection header named more hop-by-hop headers; remove those lines. */
function dropNamed(lines: string, names: ReadonlySet<string>): string {
  let out = "";
  for (const line of lines.split("\r\n")) {
    if (!line) continue;
    const name = line.slice(0, line.indexOf(":")).toLowerCase();
    if (!names.has(name)) out += line + "\r\n";
  }
  return out;
}

/** What the client response writer needs from a backend's response head. */
export interface ResponseHead {
  /** Header lines for the client, each ending in CRLF; hop-by-hop headers removed. */
  lines: string;
  /** The backend framed its body with Content-Length (passed through as is). */
  contentLength: boolean;
  /** Value of a Keep-Alive header, if any (the backend's idle timeout hint). */
  keepAlive: string | undefined;
}

/** Response headers for the client from the backend's flat [name, value] pairs, in one pass. */
export function responseHead(raw: readonly string[]): ResponseHead {
  let lines = "";
  let contentLength = false;
  let keepAlive: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    switch (responseHeaderKind(name)) {
      case R.Drop:
        continue;
      case R.KeepAlive:
        keepAlive = raw[i + 1];
        continue;
      case R.ContentLength:
        contentLength = true;
        break;
      case R.Pass:
        break;
    }
    lines += name + ": " + raw[i + 1] + "\r\n";
  }
  return { lines, contentLength, keepAlive };
}
