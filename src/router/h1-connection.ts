// One keep-alive HTTP/1.1 connection to a backend, carrying one request at a time. Purpose-built for
// the proxy: the request head is one write of latin1 text, the body is piped from the client with
// backpressure, the response is parsed by llhttp straight into the handler (no per-request streams,
// promises, closures or timers). Timeouts are deadlines checked by one shared sweeper (h1-sweeper.ts).
import { connect, type Socket } from "node:net";
import { BodyTooLargeError } from "./errors.js";
import { responseHead, type ResponseHead } from "./headers.js";
import type { BodySink } from "./h1-client.js";
import { closeParser, consumeSocket, responseParser, setReading, type NodeHTTPParser } from "./h1-parser.js";
import { sweeper } from "./h1-sweeper.js";
import { SocketWriter } from "./socket-writer.js";

/** What the proxy hands over per request. */
export interface UpstreamHandler {
  /** The request has a connection; conn.abort(gen)/conn.resume(gen) control this request only. */
  onConnect(conn: H1Connection, gen: number): void;
  onHeaders(status: number, statusText: string, head: ResponseHead): void;
  /** Return false to pause the backend until conn.resume(gen). */
  onData(chunk: Buffer): boolean;
  /** One backend read is handled and the response is not complete yet: send what is held back. */
  onFlush(): void;
  onComplete(): void;
  onError(err: Error): void;
}

/** A request body arriving from the client (h1-client.ts InboundRequest). */
export interface BodySource {
  pipe(sink: BodySink): void;
  resume(): void;
  unpipe(): void;
}

export interface UpstreamRequest {
  /** Request line and header lines, each ending in CRLF, without the blank line. */
  head: string;
  /** A HEAD request: its response has no body whatever the headers say. */
  isHead: boolean;
  /** Piped as it arrives; null = no body. */
  body: BodySource | null;
  /** The client's body had no content-length: frame it as chunked towards the backend. */
  chunked: boolean;
  maxBodyBytes: number;
}

export interface ConnectionOwner {
  readonly host: string;
  readonly port: number;
  readonly opts: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxHeaderSize: number;
  };
  release(c: H1Connection): void;
  removed(c: H1Connection): void;
}

/** Small chunked-body pieces are framed into one buffer; larger ones go out as a corked writev. */
const COALESCE_BYTES = 16 * 1024;

function timeoutError(code: string): Error {
  return Object.assign(new Error(`upstream ${code}`), { code });
}

export class H1Connection implements BodySink {
  readonly socket: Socket;
  private readonly parser: NodeHTTPParser;
  private readonly writer: SocketWriter;
  /** The parser reads the socket in C++ (h1-parser.ts consumeSocket). */
  private readonly consumed: boolean;
  /** Response bytes arrived while no request was out: the backend is confused; never reuse it. */
  private stray = false;
  private h: UpstreamHandler | undefined;
  private req: UpstreamRequest | undefined;
  /** The body being piped to the backend, while it is. */
  private body: BodySource | undefined;
  /** Bumped per request so a late abort()/resume() of an earlier request does nothing. */
  private gen = 0;
  private connected = false;
  private bodyDone = true;
  private keepAlive = false;
  private informational = false;
  private paused = false;
  private sentBytes = 0;
  private lastError: Error | undefined;
  private idleMs: number;
  /** Absolute ms; 0 = no deadline. Checked by the sweeper. */
  deadline = 0;
  private deadlineCode = "";

  constructor(private readonly owner: ConnectionOwner) {
    this.idleMs = owner.opts.keepAliveTimeoutMs;
    const s = connect({ host: owner.host, port: owner.port, noDelay: true });
    this.socket = s;
    this.writer = new SocketWriter(s, true);
    this.setDeadline(owner.opts.connectTimeoutMs, "UND_ERR_CONNECT_TIMEOUT");
    s.on("connect", () => {
      this.connected = true;
      if (!this.h) this.setDeadline(this.idleMs, "");
      else if (this.bodyDone) this.setDeadline(owner.opts.headersTimeoutMs, "UND_ERR_HEADERS_TIMEOUT");
      else this.setDeadline(owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    });
    // Also the path for a socket that cannot be consumed; the listener keeps the stream flowing,
    // which is what makes 'end' fire for a consumed one too.
    s.on("data", (chunk: Buffer) => this.onSocketData(chunk));
    this.writer.onDrain(() => this.onDrain());
    s.on("end", () => {
      this.gone = true;
      // Read-until-close responses complete on EOF; anything else in progress is cut short.
      this.parser.finish();
      if (this.h) this.fail(this.closedError());
      s.destroy();
    });
    s.on("error", (err) => {
      this.gone = true;
      this.lastError = err;
    });
    s.on("close", () => {
      this.gone = true;
      sweeper.remove(this);
      if (this.h) this.fail(this.closedError());
      closeParser(this.parser);
      owner.removed(this);
    });
    this.parser = responseParser(
      {
        headers: (status, text, raw, keepAlive) => this.onHeaders(status, text, raw, keepAlive),
        body: (chunk) => this.onBody(chunk),
        complete: () => this.onComplete(),
      },
      owner.opts.maxHeaderSize,
    );
    this.consumed = consumeSocket(this.parser, s, (ret) => this.afterRead(ret));
    sweeper.add(this);
  }

  private onDrain(): void {
    // Re-armed for the next time a body write fills the socket.
    this.writer.onDrain(() => this.onDrain());
    this.body?.resume();
  }

  /** Set once the backend ended, errored or closed (cheaper than the stream's getters per request). */
  private gone = false;

  /** Usable for a new request: idle, open, not half-closed by the backend. */
  get reusable(): boolean {
    return !this.h && !this.gone;
  }

  dispatch(req: UpstreamRequest, h: UpstreamHandler): void {
    const gen = ++this.gen;
    this.h = h;
    this.req = req;
    this.keepAlive = false;
    this.informational = false;
    this.sentBytes = 0;
    h.onConnect(this, gen);
    if (this.h !== h) return; // aborted synchronously
    const s = this.socket;
    const head =
      req.body && req.chunked ? req.head + "transfer-encoding: chunked\r\n\r\n" : req.head + "\r\n";
    if (!req.body) {
      this.writer.write(head);
      return this.bodySent();
    }
    this.bodyDone = false;
    this.body = req.body;
    if (this.connected) this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    // Body bytes that arrived with the head leave in the same write as the head.
    s.cork();
    s.write(head, "latin1");
    req.body.pipe(this);
    s.uncork();
  }

  /** Fails the request `gen` (if it is still this connection's) and drops the socket. */
  abort(gen: number, err?: Error): void {
    if (this.gen === gen && this.h) this.fail(err ?? new Error("request aborted"));
  }

  /** The client took what it was given: read the backend again. */
  resume(gen: number): void {
    if (this.gen === gen && this.paused) {
      this.paused = false;
      this.pauseSocket(false);
      this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    }
  }

  private pauseSocket(pause: boolean): void {
    if (this.consumed) setReading(this.socket, !pause);
    else if (pause) this.socket.pause();
    else this.socket.resume();
  }

  // ---- BodySink: the client's request body ----

  data(c: Buffer): boolean {
    if (!this.h) return true;
    const req = this.req!;
    this.sentBytes += c.length;
    if (this.sentBytes > req.maxBodyBytes) {
      this.fail(new BodyTooLargeError(req.maxBodyBytes));
      return true;
    }
    if (this.connected) this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    if (!req.chunked) return this.writer.write(c);
    const size = c.length.toString(16) + "\r\n";
    if (c.length <= COALESCE_BYTES) {
      const buf = Buffer.allocUnsafe(size.length + c.length + 2);
      const o = buf.write(size, 0, "latin1");
      c.copy(buf, o);
      buf.write("\r\n", o + c.length, "latin1");
      return this.writer.write(buf);
    }
    const s = this.socket;
    s.cork();
    s.write(size, "latin1");
    s.write(c);
    const ok = s.write("\r\n", "latin1");
    s.uncork();
    return ok && !this.writer.needDrain;
  }

  end(): void {
    this.body = undefined;
    if (!this.h) return;
    if (this.req!.chunked) this.writer.write("0\r\n\r\n");
    this.bodySent();
  }

  private bodySent(): void {
    this.bodyDone = true;
    if (this.connected) this.setDeadline(this.owner.opts.headersTimeoutMs, "UND_ERR_HEADERS_TIMEOUT");
  }

  private onSocketData(chunk: Buffer): void {
    if (!this.h) {
      // Bytes on an idle connection: the backend is confused; never reuse it.
      this.destroy();
      return;
    }
    this.afterRead(this.parser.execute(chunk));
  }

  /** After one backend read was parsed (the callbacks below ran during it). */
  private afterRead(ret: number | Error): void {
    if (this.stray) return void this.destroy();
    if (ret instanceof Error) return this.fail(ret);
    // A response in progress: whatever it produced so far may go to the client.
    this.h?.onFlush();
  }

  private onHeaders(status: number, text: string, raw: string[], keepAlive: boolean): boolean {
    const h = this.h;
    if (!h) {
      this.stray = true;
      return true;
    }
    if (status < 200) {
      this.informational = true; // 100/103: nothing to forward, the real response follows
      return false;
    }
    this.keepAlive = keepAlive;
    const head = responseHead(raw);
    if (head.keepAlive !== undefined) this.keepAliveHint(head.keepAlive);
    this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    h.onHeaders(status, text, head);
    return this.req!.isHead;
  }

  /** The last Keep-Alive value seen: a backend sends the same one on every response. */
  private lastHint: string | undefined;

  /** A backend announcing "Keep-Alive: timeout=N" closes idle sockets after N s: retire ours first. */
  private keepAliveHint(v: string): void {
    if (v === this.lastHint) return;
    this.lastHint = v;
    const m = /timeout=(\d+)/i.exec(v);
    if (m)
      this.idleMs = Math.max(0, Math.min(this.owner.opts.keepAliveTimeoutMs, Number(m[1]) * 1000 - 1000));
  }

  private onBody(chunk: Buffer): void {
    const h = this.h;
    if (!h) return;
    if (!this.paused) this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    if (!h.onData(chunk) && !this.paused) {
      // The client is slower than the backend: stop reading; its idle time is not the backend's.
      this.paused = true;
      this.pauseSocket(true);
      this.deadline = 0;
    }
  }

  private onComplete(): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    const h = this.h;
    if (!h) return;
    this.h = undefined;
    this.req = undefined;
    // Reuse only a connection whose request went out whole and whose backend keeps it open.
    const reuse = this.keepAlive && this.bodyDone && this.idleMs > 0;
    if (!this.bodyDone) {
      this.body?.unpipe();
      this.body = undefined;
    }
    if (this.paused) {
      this.paused = false;
      this.pauseSocket(false);
    }
    h.onComplete();
    if (reuse) {
      this.setDeadline(this.idleMs, "");
      this.owner.release(this);
    } else this.destroy();
  }

  private fail(err: Error): void {
    const h = this.h;
    if (!h) return;
    this.h = undefined;
    this.req = undefined;
    this.deadline = 0;
    const body = this.body;
    this.body = undefined;
    body?.unpipe();
    this.destroy();
    h.onError(err);
  }

  private closedError(): Error {
    const e = this.lastError ?? new Error("the backend closed the connection before answering");
    if (!(e as { code?: string }).code) Object.assign(e, { code: "UND_ERR_SOCKET" });
    return e;
  }

  private setDeadline(ms: number, code: string): void {
    this.deadline = ms > 0 ? sweeper.deadline(ms) : 0;
    this.deadlineCode = code;
  }

  /** Called by the sweeper when the deadline passed. */
  expire(): void {
    this.deadline = 0;
    if (this.h) this.fail(timeoutError(this.deadlineCode));
    else this.destroy(); // idle keep-alive socket past its lifetime
  }

  destroy(): void {
    this.gone = true;
    this.socket.destroy();
  }

  get busy(): boolean {
    return this.h !== undefined;
  }
}
