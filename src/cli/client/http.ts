// The HTTP client the `wharf` commands use: it speaks tsuru's wire contract as
// tsuru-client 1.7.2 does (reference §1): `<target>/<version><path>` URLs, lowercase
// `bearer` tokens, form bodies with sorted keys, plain-text error bodies and
// application/x-json-stream responses. Commands stay thin: they build a path and a
// body, call `request`, and print.
import { trustedCa } from "./trust.js";
import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions as NodeRequestOptions,
} from "node:http";
import { once } from "node:events";
import { CliError } from "../errors.js";
import { consumeJsonStream } from "./stream.js";

/** Form fields in insertion order; arrays become repeated keys (`k=a&k=b`). */
export type FormFields = Record<string, string | string[]>;

export interface RequestOptions {
  /** API version segment; tsuru's client prefixes every path with one (default 1.0). */
  version?: string;
  form?: FormFields;
  json?: unknown;
  multipart?: Multipart;
  /** Skip the Authorization header (tsuru does this only for GET /auth/scheme). */
  noAuth?: boolean;
  accept?: string;
  /** What a 401 means for this request (login: wrong credentials, not an expired session). */
  unauthorized?: string;
  /** A prepared body sent in chunks, reporting how much the server has taken (deploy). */
  upload?: Upload;
  /** Aborts the request, or the reading of its body (Ctrl-C during a deploy). */
  signal?: AbortSignal;
}

/** A body sent with a Content-Length, in chunks, so progress can be shown. */
export interface Upload {
  contentType: string;
  data: Buffer;
  onProgress?: (sent: number, total: number) => void;
}

const UPLOAD_CHUNK = 64 * 1024;

/** Writes `u.data` in chunks, each when the socket has room, reporting progress. */
async function writeUpload(req: ClientRequest, u: Upload): Promise<void> {
  const total = u.data.length;
  for (let off = 0; off < total; off += UPLOAD_CHUNK) {
    const chunk = u.data.subarray(off, Math.min(off + UPLOAD_CHUNK, total));
    if (!req.write(chunk)) await once(req, "drain");
    u.onProgress?.(off + chunk.length, total);
  }
  req.end();
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer | string> & { text(): Promise<string> };
}

/** A multipart/form-data body: plain fields, then file parts (tsuru's platform-add). */
export interface Multipart {
  fields: Record<string, string>;
  files: Array<{ field: string; filename: string; content: string | Buffer }>;
}

/** Encodes a multipart body as Go's mime/multipart writer does (octet-stream files). */
export function encodeMultipart(m: Multipart, boundary: string): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(m.fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const f of m.files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\n` +
          "Content-Type: application/octet-stream\r\n\r\n",
      ),
      Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

/** An API answer with status > 399: the plain-text body is the message (tsuru §1.8). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(body.trim() || `the server answered ${status}`, 1);
  }
}

/** Normalise a target the way tsuru does: add http:// when no scheme is given. */
export function normalizeTarget(target: string): string {
  const t = target.trim();
  if (/^https?:\/\//i.test(t)) return t;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    throw new CliError(`unsupported target "${t}": Wharf servers are reached over http:// or https://`);
  }
  return `http://${t}`;
}

/**
 * tsuru's URL construction (cmd/target.go): trim trailing slashes from the target, then
 * "/" + version + path. Path segments are inserted raw, like the Go client, so emails
 * stay `u@example.com` in the path.
 */
export function buildUrl(target: string, path: string, version = "1.0"): string {
  const base = normalizeTarget(target).replace(/\/+$/, "");
  const p = path.startsWith("/") ? path : `/${path}`;
  return `${base}/${version}${p}`;
}

/**
 * Splits a built URL into origin and the request path exactly as built. Only bytes a
 * request line cannot carry (spaces, control and non-ASCII characters) are escaped, as
 * Go's client does; `@`, `:` and an empty `?` stay raw.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const m = /^(https?:\/\/[^/?#]+)(.*)$/i.exec(url);
  if (!m) throw new CliError(`invalid target URL "${url}": use http://host:port`);
  const path = (m[2] || "/").replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
  return { origin: m[1]!, path: path.startsWith("/") ? path : `/${path}` };
}

/** Escape like Go's url.QueryEscape: spaces become `+`. */
export function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, "+")
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Go's url.Values.Encode: keys sorted by byte order, repeated keys keep their value order,
 * empty values kept (`routeropts=`), which tsuru's server reads as "unset".
 */
export function encodeForm(fields: FormFields): string {
  const keys = Object.keys(fields).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (const k of keys) {
    const v = fields[k];
    const values = Array.isArray(v) ? v : [v ?? ""];
    for (const one of values) parts.push(`${queryEscape(k)}=${queryEscape(one)}`);
  }
  return parts.join("&");
}

/** A query string from form fields, always with the leading `?` (tsuru sends `/apps?`). */
export function query(fields: FormFields): string {
  return `?${encodeForm(fields)}`;
}

export interface ClientConfig {
  target: string;
  token?: string;
  verbosity?: number;
}

interface SendOptions {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | Upload | undefined;
  signal: AbortSignal | undefined;
}

/**
 * One HTTP(S) request with node's own client (no connection pool: one request per
 * process start matters more than reuse); resolves when the answer's head arrives.
 */
async function send(origin: string, o: SendOptions): Promise<IncomingMessage> {
  const u = new URL(origin);
  const secure = u.protocol === "https:";
  // node:https (and TLS) is loaded only for https targets.
  const request = secure ? (await import("node:https")).request : httpRequest;
  const options: NodeRequestOptions = {
    method: o.method,
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port || (secure ? 443 : 80),
    path: o.path,
    headers: o.headers,
    agent: false,
    ...(o.signal ? { signal: o.signal } : {}),
  };
  // The target's CA (wharf target add --cacert); without it, the system's roots decide.
  const ca = secure ? trustedCa(origin) : undefined;
  if (ca) (options as NodeRequestOptions & { ca?: Buffer }).ca = ca;
  return new Promise((resolve, reject) => {
    const req = request(options, resolve);
    // `on`, not `once`: after an early answer (413 mid-upload) the socket may fail more than
    // once (EPIPE, then the upload writer's destroy), and an unheard error would crash.
    req.on("error", reject);
    const b = o.body;
    if (b === undefined || typeof b === "string" || Buffer.isBuffer(b)) req.end(b);
    else writeUpload(req, b).catch((err: Error) => req.destroy(err));
  });
}

/** The answer's body as chunks, or as text; an abort ends the reading too. */
function responseBody(res: IncomingMessage, signal: AbortSignal | undefined): ApiResponse["body"] {
  if (signal) {
    const onAbort = () => res.destroy(new Error("interrupted"));
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener("abort", onAbort, { once: true });
      res.once("close", () => signal.removeEventListener("abort", onAbort));
    }
  }
  return Object.assign(res, {
    async text(): Promise<string> {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  });
}

export class ApiClient {
  constructor(readonly config: ClientConfig) {}

  url(path: string, version = "1.0"): string {
    return buildUrl(this.config.target, path, version);
  }

  /** Send one request; throws ApiError for status > 399 and CliError when unreachable. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { "x-tsuru-verbosity": String(this.config.verbosity ?? 0) };
    if (!opts.noAuth && this.config.token) headers["authorization"] = `bearer ${this.config.token}`;
    if (opts.accept) headers["accept"] = opts.accept;
    let body: string | Buffer | undefined;
    if (opts.upload) {
      headers["content-type"] = opts.upload.contentType;
      headers["content-length"] = String(opts.upload.data.length);
    } else if (opts.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = encodeForm(opts.form);
    } else if (opts.multipart) {
      // node:crypto costs every command a few ms at start-up; only multipart bodies need it.
      const boundary = (await import("node:crypto")).randomBytes(30).toString("hex");
      headers["content-type"] = `multipart/form-data; boundary=${boundary}`;
      body = encodeMultipart(opts.multipart, boundary);
    } else if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      // go-tsuruclient's JSON bodies end with a newline; we match them byte for byte.
      body = `${JSON.stringify(opts.json)}\n`;
    }
    const url = this.url(path, opts.version);
    const verbose = this.config.verbosity ?? 0;
    // Like tsuru's -v: the request line (and at 2 the answer's status) on stderr. Headers
    // and bodies are left out on purpose: they carry tokens and passwords.
    if (verbose >= 1) process.stderr.write(`> ${method} ${url}\n`);
    // Origin and path are taken apart so the path goes out exactly as built: URL-based
    // helpers would normalise it and drop tsuru's bare trailing `?` (`GET /1.0/apps?`).
    const { origin, path: rawPath } = splitUrl(url);
    let res: IncomingMessage;
    try {
      res = await send(origin, {
        method,
        path: rawPath,
        // Closed after the answer, as tsuru's client does (req.Close), so the process
        // exits without waiting for idle sockets.
        headers: { ...headers, connection: "close" },
        body: opts.upload ?? body,
        signal: opts.signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw new CliError("interrupted", 130);
      const code = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
        throw new CliError(
          `the Wharf server at ${this.config.target} presented a certificate this CLI does not trust (${code}): ` +
            "add the target with `wharf target add NAME URL --cacert CA.pem` (Wharf's CA), or set WHARF_CACERT.",
        );
      }
      throw new CliError(
        `failed to connect to the Wharf server at ${this.config.target} (${code}): is it running? ` +
          "Check the target with `wharf target list`.",
      );
    }
    const status = res.statusCode ?? 0;
    if (verbose >= 2) process.stderr.write(`< ${status} ${String(res.headers["content-type"] ?? "")}\n`);
    const resBody = responseBody(res, opts.signal);
    if (status === 401) {
      res.resume();
      throw new CliError(
        opts.unauthorized ??
          (this.config.token
            ? "unauthorized: your session has expired or the token was revoked; run `wharf login`"
            : "not logged in: run `wharf login`"),
      );
    }
    if (status > 399) throw new ApiError(status, await resBody.text());
    return { status, headers: res.headers, body: resBody };
  }

  /** Request and decode a JSON answer; a 204 or empty body gives `undefined`. */
  async getJson<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T | undefined> {
    const res = await this.request(method, path, opts);
    const text = await res.body.text();
    if (res.status === 204 || text.trim() === "") return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the server sent a response that is not JSON (status ${res.status})`);
    }
  }

  /** Request and drain the body (for answers the client ignores). */
  async send(method: string, path: string, opts: RequestOptions = {}): Promise<number> {
    const res = await this.request(method, path, opts);
    await res.body.text();
    return res.status;
  }

  /**
   * Request a long operation and relay its x-json-stream to `out` as it arrives; an
   * `Error` line fails the command (tsuru §1.7a). Plain bodies are copied as they are.
   */
  async stream(
    method: string,
    path: string,
    opts: RequestOptions = {},
    out: (s: string) => void = (s) => process.stdout.write(s),
  ): Promise<void> {
    const res = await this.request(method, path, opts);
    const type = String(res.headers["content-type"] ?? "");
    if (!type.includes("x-json-stream")) {
      for await (const chunk of res.body) out(chunk.toString());
      return;
    }
    const error = await consumeJsonStream(res.body, out);
    if (error !== undefined) throw new CliError(error);
  }
}
