// Node's own llhttp binding (the parser behind node:http), used directly for client requests and
// upstream responses. It parses in C++ and calls back with flat string header arrays: no IncomingMessage, no stream per
// response, which is most of node:http's client cost. `_http_common` is a stable internal module
// that node:http itself and several proxies use; the shape is checked at load time.
import { createRequire } from "node:module";
import type { Socket } from "node:net";

export interface NodeHTTPParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(chunk: Buffer): number | Error;
  finish(): undefined | Error;
  close(): void;
  [key: number]: unknown;
}

interface ParserCtor {
  new (): NodeHTTPParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kOnTimeout: number;
}

const require = createRequire(import.meta.url);
const common = require("_http_common") as { HTTPParser: ParserCtor; methods: string[] };
export const HTTPParser = common.HTTPParser;
/** The parser reports a request's method as an index into this list. */
const METHODS = common.methods;
if (
  typeof HTTPParser !== "function" ||
  typeof HTTPParser.RESPONSE !== "number" ||
  typeof HTTPParser.REQUEST !== "number" ||
  !Array.isArray(METHODS)
) {
  throw new Error("this Node.js build does not expose the HTTP parser the router needs");
}

export interface ResponseCallbacks {
  /** Return true to skip the body (responses to HEAD). */
  headers(status: number, statusText: string, raw: string[], keepAlive: boolean, upgrade: boolean): boolean;
  body(chunk: Buffer): void;
  complete(): void;
}

/**
 * The native side looks every callback up by index on each message, unset ones included. An unset
 * slot is a hole, and looking a hole up walks the prototype chain: every slot gets a value.
 */
function newParser(type: number, maxHeaderSize: number): NodeHTTPParser {
  const p = new HTTPParser();
  p.initialize(type, {}, maxHeaderSize, 0);
  for (const k of [
    HTTPParser.kOnMessageBegin,
    HTTPParser.kOnHeaders,
    HTTPParser.kOnHeadersComplete,
    HTTPParser.kOnBody,
    HTTPParser.kOnMessageComplete,
    HTTPParser.kOnExecute,
    HTTPParser.kOnTimeout,
  ])
    p[k] = null;
  return p;
}

/** A response parser bound to one connection's callbacks for its whole life (keep-alive reuse). */
export function responseParser(cb: ResponseCallbacks, maxHeaderSize: number): NodeHTTPParser {
  const p = newParser(HTTPParser.RESPONSE, maxHeaderSize);
  // Headers beyond llhttp's 32-pair batch arrive here first, the rest in headersComplete.
  let pending: string[] | undefined;
  p[HTTPParser.kOnHeaders] = (h: string[]) => {
    pending = pending ? pending.concat(h) : h;
  };
  p[HTTPParser.kOnHeadersComplete] = (
    _maj: number,
    _min: number,
    h: string[] | undefined,
    _method: unknown,
    _url: unknown,
    status: number,
    statusText: string,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    let raw = h ?? [];
    if (pending) {
      raw = h ? pending.concat(h) : pending;
      pending = undefined;
    }
    return cb.headers(status, statusText, raw, keepAlive, upgrade) ? 1 : 0;
  };
  p[HTTPParser.kOnBody] = (b: Buffer) => cb.body(b);
  p[HTTPParser.kOnMessageComplete] = () => cb.complete();
  return p;
}

export interface RequestCallbacks {
  /**
   * A request head is complete. `keepAlive` is llhttp's verdict from the version and Connection
   * header; `upgrade` is set for Upgrade/CONNECT requests, whose bytes after the head are not HTTP.
   */
  headers(
    method: string,
    url: string,
    raw: string[],
    versionMinor: number,
    keepAlive: boolean,
    upgrade: boolean,
  ): void;
  body(chunk: Buffer): void;
  complete(): void;
}

/**
 * A request parser for one client connection (keep-alive: it parses request after request). For an
 * upgrade request execute() returns the number of bytes that belonged to the head; the rest of the
 * chunk is the tunnel's first bytes.
 */
export function requestParser(cb: RequestCallbacks, maxHeaderSize: number): NodeHTTPParser {
  const p = newParser(HTTPParser.REQUEST, maxHeaderSize);
  // A long head arrives in pieces: headers in batches of 32 pairs and the URL in fragments.
  let pending: string[] | undefined;
  let pendingUrl = "";
  p[HTTPParser.kOnHeaders] = (h: string[], url: string) => {
    pending = pending ? pending.concat(h) : h;
    pendingUrl += url;
  };
  p[HTTPParser.kOnHeadersComplete] = (
    _maj: number,
    min: number,
    h: string[] | undefined,
    method: number,
    url: string | undefined,
    _status: unknown,
    _statusText: unknown,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    let raw = h ?? [];
    let u = url ?? "";
    if (pending) {
      raw = h ? pending.concat(h) : pending;
      u = pendingUrl + u;
      pending = undefined;
      pendingUrl = "";
    }
    cb.headers(METHODS[method] ?? "GET", u, raw, min, keepAlive, upgrade);
    // 2 = no body and stop: what follows an upgrade head belongs to the new protocol.
    return upgrade ? 2 : 0;
  };
  p[HTTPParser.kOnBody] = (b: Buffer) => cb.body(b);
  p[HTTPParser.kOnMessageComplete] = () => cb.complete();
  return p;
}

/** The native stream handle under a net.Socket (TCPWrap, TLSWrap): what node:http's server consumes. */
interface StreamHandle {
  isStreamBase?: boolean;
  _consumed?: boolean;
  reading?: boolean;
  readStart(): number;
  readStop(): number;
}

interface ConsumingParser extends NodeHTTPParser {
  consume?(handle: StreamHandle): void;
  unconsume?(): void;
  getCurrentBuffer?(): Buffer;
}

function handleOf(socket: Socket): StreamHandle | undefined {
  return (socket as unknown as { _handle?: StreamHandle | null })._handle ?? undefined;
}

/**
 * Let the parser read the socket itself, in C++, as node:http's server does: no JS 'data' event, no
 * Buffer and no stream bookkeeping per read; `onExecute` gets each read's result (bytes parsed, or
 * the parse error). False when this socket cannot be consumed: feed execute() from 'data' events.
 * End of stream still reaches the socket's 'end' event.
 */
export function consumeSocket(
  parser: NodeHTTPParser,
  socket: Socket,
  onExecute: (ret: number | Error) => void,
): boolean {
  const p = parser as ConsumingParser;
  const h = handleOf(socket);
  if (!h?.isStreamBase || h._consumed || typeof p.consume !== "function") return false;
  h._consumed = true;
  p[HTTPParser.kOnExecute] = onExecute;
  p.consume(h);
  return true;
}

/** The bytes of the read being executed (consumed sockets only; for an upgrade's first bytes). */
export function currentBuffer(parser: NodeHTTPParser): Buffer {
  return (parser as ConsumingParser).getCurrentBuffer?.() ?? Buffer.alloc(0);
}

/** Give reads back to the socket's JS stream (before handing the socket to a tunnel). */
export function unconsumeSocket(parser: NodeHTTPParser, socket: Socket): void {
  (parser as ConsumingParser).unconsume?.();
  const h = handleOf(socket);
  if (h) h._consumed = false;
}

/** Start or stop reading a consumed socket (socket.pause() does not reach a consumed handle). */
export function setReading(socket: Socket, on: boolean): void {
  const h = handleOf(socket);
  if (!h) return;
  if (on && !h.reading) {
    h.reading = true;
    h.readStart();
  } else if (!on && h.reading) {
    h.reading = false;
    h.readStop();
  }
}

/**
 * Frees a parser's native side on the next turn of the loop, never now: the callback asking may be
 * running inside that parser's own execute (a consumed socket's read, or the tick queue drained when
 * its callback returns), and freeing it there is a use-after-free that crashes the process.
 * node:http's server defers the same way (closeParserInstance).
 */
export function closeParser(parser: NodeHTTPParser): void {
  setImmediate(() => parser.close());
}
