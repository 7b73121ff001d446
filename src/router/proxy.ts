// The HTTP request path: Host → app → backend, then the request and response stream through the
// backend's H1Pool (no buffering: backpressure goes both ways). Retries only what is safe.
import type { Logger } from "pino";
import { pick, recordFailure, recordSuccess, type PassiveHealthOptions } from "./balancer.js";
import { BodyTooLargeError, TotalTimeoutError, classify, errorResponse } from "./errors.js";
import type { ResponseHead } from "./headers.js";
import type { ClientConnection, Exchange, InboundRequest } from "./h1-client.js";
import type { H1Connection, UpstreamHandler } from "./h1-connection.js";
import type { RouterMetrics } from "./metrics.js";
import type { AppEntry, RouteTable } from "./table.js";
import type { UpstreamBackend } from "./upstream.js";
import { sweeper } from "./h1-sweeper.js";

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

/** Serves one parsed request on its client connection. */
export function proxyRequest(ctx: ProxyContext, conn: ClientConnection, req: InboundRequest): void {
  const host = req.head.host;
  const entry = ctx.table.resolve(host);
  if (!entry) {
    conn.text(404, `no app is routed for host "${(host ?? "").slice(0, 255)}"\n`);
    return log(ctx, req, undefined, undefined, 404, 0, performance.now());
  }
  if (entry.route.httpsRedirect && !conn.encrypted) {
    const location = `https://${host ?? ""}${req.url}`;
    conn.respond(308, "", `location: ${location}\r\ncontent-length: 0\r\n`, true);
    conn.end();
    return log(ctx, req, entry, undefined, 308, 0, performance.now());
  }
  new ProxyRequest(ctx, conn, req, entry).start();
}

class ProxyRequest implements UpstreamHandler, Exchange {
  private readonly t0 = performance.now();
  private tried: UpstreamBackend[] | undefined;
  private backend: UpstreamBackend | undefined;
  private upstream: H1Connection | undefined;
  private gen = 0;
  private timer: NodeJS.Timeout | undefined;
  private bytes = 0;
  private status = 0;
  private done = false;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly conn: ClientConnection,
    private readonly req: InboundRequest,
    private readonly entry: AppEntry<UpstreamBackend>,
  ) {}

  start(): void {
    const { ctx, req } = this;
    ctx.inflight.n++;
    req.exchange = this;
    if (req.head.contentLength > ctx.opts.maxBodyBytes) {
      // Refuse before reading; close so the unread body does not poison the keep-alive connection.
      return this.finish(413, new BodyTooLargeError(ctx.opts.maxBodyBytes), true);
    }
    if (ctx.opts.totalTimeoutMs > 0) {
      this.timer = setTimeout(() => this.onTimeout(), ctx.opts.totalTimeoutMs);
    }
    this.attempt();
  }

  private attempt(): void {
    const backends = this.entry.backends;
    const b = pick(backends, sweeper.clock(), this.tried);
    if (!b) {
      const status = backends.length === 0 ? 503 : 502;
      const msg =
        backends.length === 0
          ? `service unavailable: app "${this.entry.route.app}" has no running units\n`
          : "bad gateway: no unit of the app could be reached\n";
      this.conn.text(status, msg);
      return this.complete(status);
    }
    this.backend = b;
    // Most requests are served by their first pick: the tried list exists only for retries.
    if (this.tried) this.tried.push(b);
    b.outstanding++;
    const req = this.req;
    const hasBody = req.hasBody;
    b.pool.dispatch(
      {
        head: req.head.upstream,
        isHead: req.method === "HEAD",
        body: hasBody ? req : null,
        chunked: hasBody && req.head.chunked,
        maxBodyBytes: this.ctx.opts.maxBodyBytes,
      },
      this,
    );
  }

  // ---- Exchange (h1-client.ts) ----

  clientClosed(): void {
    if (this.done) return;
    this.upstream?.abort(this.gen, new Error("client closed the connection"));
    this.complete(499);
  }

  // ---- UpstreamHandler (h1-connection.ts): raw callbacks, no promises ----

  onConnect(conn: H1Connection, gen: number): void {
    this.upstream = conn;
    this.gen = gen;
    if (this.done) conn.abort(gen, new Error("client closed the connection"));
  }

  onHeaders(status: number, statusText: string, head: ResponseHead): void {
    if (this.done) return;
    this.status = status;
    this.conn.respond(status, statusText, head.lines, head.contentLength);
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.conn.write(chunk)) return true;
    this.conn.onDrain(() => this.upstream?.resume(this.gen));
    return false;
  }

  onFlush(): void {
    if (!this.done) this.conn.flush();
  }

  onComplete(): void {
    const b = this.backend!;
    b.outstanding--;
    recordSuccess(b);
    if (this.done) return;
    this.conn.end();
    this.complete(this.status);
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
      !this.req.hasBody &&
      !this.conn.headersSent &&
      IDEMPOTENT.has(this.req.method) &&
      (this.tried?.length ?? 1) <= this.ctx.opts.retries;
    if (retryable) {
      this.tried ??= [b];
      this.upstream = undefined;
      return this.attempt();
    }
    if (this.conn.headersSent) {
      // Mid-body failure: the only honest signal left is to cut the response (a proxy error,
      // counted as one whatever status the head said).
      this.conn.destroy();
      return this.complete(this.status, true);
    }
    const [status] = errorResponse(kind, err);
    this.finish(status, err, kind === "too_large");
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.done) return;
    if (this.upstream) this.upstream.abort(this.gen, new TotalTimeoutError(this.ctx.opts.totalTimeoutMs));
    // Still queued in the pool: answer now; the late dispatch is aborted in onConnect.
    else this.finish(504, new TotalTimeoutError(this.ctx.opts.totalTimeoutMs));
  }

  private finish(status: number, err: unknown, close = false): void {
    const [, body] = errorResponse(classify(err), err);
    this.conn.text(status, body, close);
    this.complete(status);
  }

  private complete(status: number, cut = false): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.ctx.inflight.n--;
    log(this.ctx, this.req, this.entry, this.backend, status, this.bytes, this.t0, cut);
  }
}

function log(
  ctx: ProxyContext,
  req: InboundRequest,
  entry: AppEntry<UpstreamBackend> | undefined,
  backend: UpstreamBackend | undefined,
  status: number,
  bytes: number,
  t0: number,
  cut = false,
): void {
  const app = entry?.route.app ?? "";
  const ms = performance.now() - t0;
  ctx.metrics?.request(app || "-", status, ms / 1000, cut);
  // Only non-secret fields: never headers such as Authorization or Cookie.
  ctx.accessLog?.info({
    host: req.head.host,
    method: req.method,
    path: req.url,
    app,
    unit: backend?.id,
    status,
    bytes,
    ms: Math.round(ms * 100) / 100,
  });
}
