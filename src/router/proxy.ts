// The HTTP request path: Host → app → backend, then stream the request and response through the
// backend's H1Pool (no buffering: backpressure goes both ways). Retries only what is safe.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { pick, recordFailure, recordSuccess, type PassiveHealthOptions } from "./balancer.js";
import { BodyTooLargeError, TotalTimeoutError, classify, errorResponse, sendText } from "./errors.js";
import { forwardedHeaders, responseHeaders } from "./headers.js";
import type { RouterMetrics } from "./metrics.js";
import type { AppEntry, RouteTable } from "./table.js";
import type { UpstreamBackend } from "./upstream.js";
import type { UpstreamHandler } from "./h1-connection.js";

export interface ProxyOptions {
  /** Largest request body accepted, counted on the streamed bytes (413 beyond it). */
  maxBodyBytes: number;
  /** Whole-request budget once a backend was chosen (504 when exceeded before headers). */
  totalTimeoutMs: number;
  /** Extra attempts on other backends for idempotent requests without a body. */
  retries: number;
  passive: PassiveHealthOptions;
}

export interface ProxyContext {
  table: RouteTable<UpstreamBackend>;
  opts: ProxyOptions;
  metrics?: RouterMetrics;
  accessLog?: Logger;
  /** Counts requests in flight so shutdown can wait for them. */
  inflight: { n: number };
  /** Open upgrade tunnels (client side), closed at shutdown after the drain. */
  tunnels: Set<import("node:stream").Duplex>;
}

// Idempotent per RFC 9110; POST/PATCH are never retried.
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

export function createRequestHandler(ctx: ProxyContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const entry = ctx.table.resolve(req.headers.host);
    if (!entry) {
      const host = (req.headers.host ?? "").slice(0, 255);
      sendText(res, 404, `no app is routed for host "${host}"\n`);
      log(ctx, req, undefined, undefined, 404, 0, performance.now());
      return;
    }
    const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
    if (entry.route.httpsRedirect && !encrypted) {
      const host = req.headers.host ?? "";
      res.writeHead(308, { location: `https://${host}${req.url ?? "/"}`, "content-length": 0 });
      res.end();
      log(ctx, req, entry, undefined, 308, 0, performance.now());
      return;
    }
    new ProxyRequest(ctx, req, res, entry, encrypted).start();
  };
}

class ProxyRequest implements UpstreamHandler {
  private readonly t0 = performance.now();
  private readonly hasBody: boolean;
  private readonly tried = new Set<UpstreamBackend>();
  private backend: UpstreamBackend | undefined;
  private abortUpstream: ((err?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private bytes = 0;
  private done = false;
  private readonly headers: string[];

  constructor(
    private readonly ctx: ProxyContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly entry: AppEntry<UpstreamBackend>,
    encrypted: boolean,
  ) {
    const h = req.headers;
    this.hasBody = h["transfer-encoding"] !== undefined || (h["content-length"] ?? "0") !== "0";
    this.headers = forwardedHeaders(req, encrypted);
  }

  start(): void {
    const { ctx, req, res } = this;
    ctx.inflight.n++;
    const len = Number(req.headers["content-length"] ?? 0);
    if (len > ctx.opts.maxBodyBytes) {
      // Refuse before reading; close so the unread body does not poison the keep-alive connection.
      return this.finish(413, new BodyTooLargeError(ctx.opts.maxBodyBytes), true);
    }
    res.once("close", () => {
      // Client went away (or response finished): stop the upstream side if still running.
      if (!this.done) {
        this.abortUpstream?.(new Error("client closed the connection"));
        this.complete(499);
      }
    });
    if (ctx.opts.totalTimeoutMs > 0) {
      this.timer = setTimeout(() => this.onTimeout(), ctx.opts.totalTimeoutMs);
    }
    this.attempt();
  }

  private attempt(): void {
    const b = pick(this.entry.backends, Date.now(), this.tried);
    if (!b) {
      const status = this.entry.backends.length === 0 ? 503 : 502;
      const msg =
        this.entry.backends.length === 0
          ? `service unavailable: app "${this.entry.route.app}" has no running units\n`
          : "bad gateway: no unit of the app could be reached\n";
      sendText(this.res, status, msg);
      return this.complete(status);
    }
    this.backend = b;
    this.tried.add(b);
    b.outstanding++;
    const req = this.req;
    b.pool.dispatch(
      {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: this.headers,
        body: this.hasBody ? req : null,
        chunked: this.hasBody && req.headers["content-length"] === undefined,
        maxBodyBytes: this.ctx.opts.maxBodyBytes,
      },
      this,
    );
  }

  // ---- UpstreamHandler (h1-connection.ts): raw header strings, callbacks, no promises ----

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.done) abort(new Error("client closed the connection"));
  }

  onHeaders(status: number, raw: string[], resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // 1xx other than 101: nothing to forward
    this.resumeUpstream = resume;
    if (this.done) return false;
    this.res.writeHead(status, statusText, responseHeaders(raw));
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.res.write(chunk)) return true;
    this.res.once("drain", this.resumeUpstream!);
    return false;
  }

  onComplete(): void {
    const b = this.backend!;
    b.outstanding--;
    recordSuccess(b);
    this.res.end();
    this.complete(this.res.statusCode);
  }

  onError(err: Error): void {
    const b = this.backend!;
    b.outstanding--;
    if (this.done) return;
    const kind = classify(err);
    if (kind !== "too_large" && kind !== "other") {
      this.ctx.metrics?.upstreamError(this.entry.route.app, kind);
      if (recordFailure(b, Date.now(), this.ctx.opts.passive))
        this.ctx.metrics?.ejection(this.entry.route.app);
    }
    // Safe to replay: idempotent, nothing of the body consumed, nothing sent to the client yet.
    const retryable =
      (kind === "connect" || kind === "connect_timeout") &&
      !this.hasBody &&
      !this.res.headersSent &&
      IDEMPOTENT.has(this.req.method ?? "GET") &&
      this.tried.size <= this.ctx.opts.retries;
    if (retryable) return this.attempt();
    if (this.res.headersSent) {
      // Mid-body failure: the only honest signal left is to cut the response.
      this.res.destroy();
      return this.complete(this.res.statusCode);
    }
    const [status] = errorResponse(kind, err);
    this.finish(status, err, kind === "too_large");
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.done) return;
    this.abortUpstream?.(new TotalTimeoutError(this.ctx.opts.totalTimeoutMs));
    if (!this.abortUpstream) {
      // Still queued in the pool: answer now; the late dispatch is aborted in onConnect.
      this.finish(504, new TotalTimeoutError(this.ctx.opts.totalTimeoutMs));
    }
  }

  private finish(status: number, err: unknown, close = false): void {
    const [, body] = errorResponse(classify(err), err);
    sendText(this.res, status, body, close);
    this.complete(status);
  }

  private complete(status: number): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.ctx.inflight.n--;
    log(this.ctx, this.req, this.entry, this.backend, status, this.bytes, this.t0);
  }
}

function log(
  ctx: ProxyContext,
  req: IncomingMessage,
  entry: AppEntry<UpstreamBackend> | undefined,
  backend: UpstreamBackend | undefined,
  status: number,
  bytes: number,
  t0: number,
): void {
  const app = entry?.route.app ?? "";
  const ms = performance.now() - t0;
  ctx.metrics?.request(app || "-", status, ms / 1000);
  // Only non-secret fields: never headers such as Authorization or Cookie.
  ctx.accessLog?.info({
    host: req.headers.host,
    method: req.method,
    path: req.url,
    app,
    unit: backend?.id,
    status,
    bytes,
    ms: Math.round(ms * 100) / 100,
  });
}
