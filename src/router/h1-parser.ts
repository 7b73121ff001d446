// Node's own llhttp binding (the parser behind node:http), used directly for upstream responses.
// It parses in C++ and calls back with flat string header arrays: no IncomingMessage, no stream per
// response, which is most of node:http's client cost. `_http_common` is a stable internal module
// that node:http itself and several proxies use; the shape is checked at load time.
import { createRequire } from "node:module";

export interface NodeHTTPParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(chunk: Buffer): number | Error;
  finish(): undefined | Error;
  close(): void;
  [key: number]: unknown;
}

interface ParserCtor {
  new (): NodeHTTPParser;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
}

const require = createRequire(import.meta.url);
export const HTTPParser = (require("_http_common") as { HTTPParser: ParserCtor }).HTTPParser;
if (typeof HTTPParser !== "function" || typeof HTTPParser.RESPONSE !== "number") {
  throw new Error("this Node.js build does not expose the HTTP parser the router needs");
}

export interface ResponseCallbacks {
  /** Return true to skip the body (responses to HEAD). */
  headers(status: number, statusText: string, raw: string[], keepAlive: boolean, upgrade: boolean): boolean;
  body(chunk: Buffer): void;
  complete(): void;
}

/** A response parser bound to one connection's callbacks for its whole life (keep-alive reuse). */
export function responseParser(cb: ResponseCallbacks, maxHeaderSize: number): NodeHTTPParser {
  const p = new HTTPParser();
  p.initialize(HTTPParser.RESPONSE, {}, maxHeaderSize, 0);
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
