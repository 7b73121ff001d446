// One client connection (plain TCP or TLS), served without node:http: llhttp parses requests straight
// into the proxy, the response head is written as text built from the backend's header array, and
// whatever one backend read produced (head, body, chunk framing, terminator) leaves in one write.
// Requests are served one at a time; pipelined ones wait, with reading paused, until the one before
// them is answered. Timeouts are deadlines checked by the shared sweeper, as for upstreams.
import type { Socket } from "node:net";
import { STATUS_CODES } from "node:http";
import { requestHead, type RequestHead } from "./headers.js";
import {
  closeParser,
  consumeSocket,
  currentBuffer,
  requestParser,
  setReading,
  unconsumeSocket,
  type NodeHTTPParser,
} from "./h1-parser.js";
import { sweeper } from "./h1-sweeper.js";
import { SocketWriter } from "./socket-writer.js";

/** Receives a request's body chunks, in order. Returning false pauses the client until resume(). */
export interface BodySink {
  data(chunk: Buffer): boolean;
  end(): void;
}

/** The part of a proxied request the connection calls back: the client went away mid-exchange. */
export interface Exchange {
  clientClosed(): void;
}

export interface ClientOptions {
  maxHeaderSize: number;
  /** Idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A request head must be complete this long after its first byte (else 408). */
  headersTimeoutMs: number;
}

export interface ConnectionHandler {
  /** A request head arrived. The handler answers through conn (respond/write/end or text). */
  request(conn: ClientConnection, req: InboundRequest): void;
  /** An Upgrade request: the socket now belongs to the handler; `head` is what followed the request. */
  upgrade(socket: Socket, req: InboundRequest, head: Buffer, encrypted: boolean): void;
}

/** One parsed request; also the body source the upstream side pipes from. */
export class InboundRequest {
  /** Set by the proxy so the connection can tell it the client left. */
  exchange: Exchange | undefined;
  /** Body chunks parsed before a sink was attached (bounded: reading pauses meanwhile). */
  chunks: Buffer[] | undefined;
  sink: BodySink | undefined;
  /** The whole request, body included, has been parsed. */
  complete = false;

  constructor(
    readonly conn: ClientConnection,
    readonly method: string,
    readonly url: string,
    readonly raw: string[],
    readonly versionMinor: number,
    readonly keepAlive: boolean,
    readonly head: RequestHead,
  ) {}

  get hasBody(): boolean {
    return this.head.chunked || this.head.contentLength > 0;
  }

  /** Start delivering the body to sink: chunks parsed so far first, then as they arrive. */
  pipe(sink: BodySink): void {
    this.sink = sink;
    const buffered = this.chunks;
    this.chunks = undefined;
    let more = true;
    if (buffered) for (const c of buffered) more = sink.data(c) && more;
    if (this.complete) {
      this.sink = undefined;
      sink.end();
    } else this.conn.bodyFlow(this, more);
  }

  /** The sink can take more. */
  resume(): void {
    if (this.sink) this.conn.bodyFlow(this, true);
  }

  /** The sink gave up (upstream failed): drop the rest of the body. */
  unpipe(): void {
    this.sink = undefined;
    this.conn.bodyFlow(this, true);
  }
}

const enum Deadline {
  None,
  Idle,
  Headers,
  Linger,
}

const LINGER_MS = 5_000;

/** Bodies up to this are copied into one buffer with their head; larger ones go out by writev. */
const COALESCE_BYTES = 16 * 1024;
/** Buffered output beyond this is written at once rather than at the end of the backend read. */
const FLUSH_BYTES = 64 * 1024;

export class ClientConnection {
  private readonly parser: NodeHTTPParser;
  /** The request being answered; later pipelined ones wait in `queue`. */
  private active: InboundRequest | undefined;
  /** The request the parser is currently delivering body bytes for. */
  private parsing: InboundRequest | undefined;
  private readonly queue: InboundRequest[] = [];
  private upgradeReq: InboundRequest | undefined;
  private bodyBlocked = false;
  private paused = false;
  /** Response state of `active`. */
  private started = false;
  private headSent = false;
  private chunked = false;
  private noBody = false;
  private closeAfter = false;
  private clientEnded = false;
  private draining = false;
  private closed = false;
  private readonly out: (string | Buffer)[] = [];
  private outBytes = 0;
  private readonly writer: SocketWriter;
  deadline = 0;
  private deadlineKind = Deadline.None;
  /** The parser reads the socket in C++ (h1-parser.ts consumeSocket). */
  private readonly consumed: boolean;
  /** Request heads parsed so far, and as of the last read (tells a started head from idle bytes). */
  private heads = 0;
  private headsSeen = 0;
  readonly remoteAddress: string;

  constructor(
    readonly socket: Socket,
    readonly encrypted: boolean,
    private readonly handler: ConnectionHandler,
    private readonly opts: ClientOptions,
    private readonly onClose: (c: ClientConnection) => void,
  ) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.writer = new SocketWriter(socket, !encrypted);
    this.parser = requestParser(
      {
        headers: (m, u, raw, minor, ka, up) => this.onHead(m, u, raw, minor, ka, up),
        body: (chunk) => this.onBody(chunk),
        complete: () => this.onComplete(),
      },
      opts.maxHeaderSize,
    );
    this.consumed = consumeSocket(this.parser, socket, (ret) => this.afterExecute(ret, undefined));
    // Also the path for sockets that cannot be consumed; a 'data' listener keeps the stream flowing,
    // which is what makes 'end' fire for consumed ones too.
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.onEnd());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.onSocketClose());
    this.setDeadline(Deadline.Idle);
    sweeper.add(this);
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  get headersSent(): boolean {
    return this.started;
  }

  // ---- parsing ----

  private onData(chunk: Buffer): void {
    if (this.lingering) return;
    this.afterExecute(this.parser.execute(chunk), chunk);
  }

  /** After one read was parsed: `chunk` is the read itself when it came through a 'data' event. */
  private afterExecute(ret: number | Error, chunk: Buffer | undefined): void {
    if (ret instanceof Error) {
      if (!this.lingering) this.parseError(ret as Error & { code?: string });
      return;
    }
    const up = this.upgradeReq;
    if (up) return this.startUpgrade(up, (chunk ?? currentBuffer(this.parser)).subarray(ret));
    // Idle and no head completed in this read: a request head has started arriving.
    if (this.heads === this.headsSeen && this.deadlineKind === Deadline.Idle)
      this.setDeadline(Deadline.Headers);
    this.headsSeen = this.heads;
  }

  private onHead(
    method: string,
    url: string,
    raw: string[],
    minor: number,
    keepAlive: boolean,
    upgrade: boolean,
  ): void {
    this.heads++;
    const head = requestHead(method, url, raw, this.remoteAddress, this.encrypted);
    const req = new InboundRequest(this, method, url, raw, minor, keepAlive, head);
    if (upgrade) {
      this.upgradeReq = req;
      return;
    }
    this.parsing = req;
    if (this.active) {
      // Pipelined: answered after the current one; stop reading so waiting requests stay few.
      this.queue.push(req);
      this.updateReading();
      return;
    }
    this.dispatch(req);
  }

  private onBody(chunk: Buffer): void {
    const req = this.parsing;
    if (!req) return;
    if (req.sink) {
      if (!req.sink.data(chunk)) this.bodyFlow(req, false);
    } else if (req === this.active && this.finishedResponse) {
      // Answered already and nobody reads the body: drop it.
    } else {
      (req.chunks ??= []).push(chunk);
      if (req === this.active) this.bodyFlow(req, false);
    }
  }

  private onComplete(): void {
    const req = this.parsing;
    if (!req) return;
    this.parsing = undefined;
    req.complete = true;
    const sink = req.sink;
    req.sink = undefined;
    if (sink) sink.end();
    // Answered before its body was in: the connection serves the next request from here.
    if (req === this.active && this.finishedResponse) this.next();
  }

  /** The active request's response is written but its body is still arriving (being dropped). */
  private finishedResponse = false;

  private dispatch(req: InboundRequest): void {
    this.active = req;
    this.setDeadline(Deadline.None);
    this.started = this.headSent = this.chunked = this.noBody = this.finishedResponse = false;
    this.closeAfter = this.draining || this.clientEnded || !req.keepAlive;
    if (req.versionMinor === 1 && req.head.host === undefined) {
      return this.text(400, "bad request: HTTP/1.1 requests need a Host header\n", true);
    }
    if (req.method === "CONNECT") {
      return this.text(405, "method not allowed: the router does not tunnel CONNECT\n", true);
    }
    if (req.head.expectContinue && req.versionMinor >= 1) {
      this.writer.write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    this.handler.request(this, req);
  }

  /** The active request's body: `flowing` false pauses the client until the sink catches up. */
  bodyFlow(req: InboundRequest, flowing: boolean): void {
    if (req !== this.active) return;
    this.bodyBlocked = !flowing;
    this.updateReading();
  }

  private updateReading(): void {
    const stop = this.bodyBlocked || this.queue.length > 0;
    if (stop && !this.paused) {
      this.paused = true;
      this.pauseSocket(true);
    } else if (!stop && this.paused) {
      this.paused = false;
      this.pauseSocket(false);
    }
  }

  private pauseSocket(pause: boolean): void {
    if (this.consumed) setReading(this.socket, !pause);
    else if (pause) this.socket.pause();
    else this.socket.resume();
  }

  private parseError(err: Error & { code?: string }): void {
    if (this.active) {
      // Malformed body of a request being proxied: nothing sensible can follow on this connection.
      this.active.exchange?.clientClosed();
      this.socket.destroy();
      return;
    }
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    const reason =
      status === 431
        ? `request headers too large: the limit is ${this.opts.maxHeaderSize} bytes\n`
        : "bad request: the request is not valid HTTP/1.1\n";
    this.ownAnswer(status, reason);
  }

  private onEnd(): void {
    this.clientEnded = true;
    if (this.lingering || !this.active) return void this.socket.destroy();
    this.parser.finish();
    if (!this.active.complete) {
      // The client stopped halfway through its request body: the request cannot be completed.
      this.active.exchange?.clientClosed();
      this.socket.destroy();
      return;
    }
    // A half-close after a whole request: answer it, then close.
    this.closeAfter = true;
  }

  /** Answer a request that could not be parsed (or did not arrive in time) and close. */
  private ownAnswer(status: number, body: string): void {
    this.active = new InboundRequest(this, "GET", "", [], 1, false, {
      host: undefined,
      contentLength: -1,
      chunked: false,
      expectContinue: false,
      upstream: "",
    });
    this.started = this.headSent = this.chunked = this.noBody = false;
    this.text(status, body, true);
  }

  private onSocketClose(): void {
    this.closed = true;
    sweeper.remove(this);
    const a = this.active;
    this.active = undefined;
    a?.exchange?.clientClosed();
    for (const q of this.queue.splice(0)) q.exchange?.clientClosed();
    closeParser(this.parser);
    this.onClose(this);
  }

  private startUpgrade(req: InboundRequest, head: Buffer): void {
    this.upgradeReq = undefined;
    if (this.active) {
      // An upgrade pipelined behind another request cannot be honoured: the bytes after it are not HTTP.
      this.socket.destroy();
      return;
    }
    sweeper.remove(this);
    this.setDeadline(Deadline.None);
    const s = this.socket;
    s.removeAllListeners("data");
    s.removeAllListeners("end");
    s.removeAllListeners("drain");
    s.removeAllListeners("close");
    s.removeAllListeners("error");
    if (this.consumed) {
      unconsumeSocket(this.parser, s);
      setReading(s, true);
    }
    closeParser(this.parser);
    this.closed = true;
    this.onClose(this);
    // Paused until the tunnel pipes it: bytes arriving before then must wait, not be dropped.
    s.pause();
    this.handler.upgrade(s, req, head, this.encrypted);
  }

  // ---- responses ----

  /**
   * Starts the response to the active request. `lines` are header lines (CRLF-terminated);
   * `hasLength` = they include Content-Length, else the body is chunked (HTTP/1.1 clients) or ends
   * with the connection (HTTP/1.0 clients). The head is held until a body byte, end() or flush().
   */
  respond(status: number, statusText: string, lines: string, hasLength: boolean): void {
    const req = this.active!;
    this.started = true;
    this.noBody = req.method === "HEAD" || status === 204 || status === 304;
    this.chunked = false;
    let framing = "";
    if (!this.noBody && !hasLength) {
      if (req.versionMinor >= 1) {
        this.chunked = true;
        framing = "transfer-encoding: chunked\r\n";
      } else this.closeAfter = true;
    }
    if (this.closeAfter) framing += "connection: close\r\n";
    else if (req.versionMinor === 0) framing += "connection: keep-alive\r\n";
    this.push(
      "HTTP/1.1 " +
        status +
        " " +
        (statusText || STATUS_CODES[status] || "") +
        "\r\n" +
        lines +
        framing +
        "\r\n",
    );
  }

  /** A body chunk of the response. Returns false when the client is slow: wait for onDrain. */
  write(chunk: Buffer): boolean {
    if (this.noBody || chunk.length === 0) return true;
    if (this.chunked) {
      this.push(chunk.length.toString(16) + "\r\n");
      this.push(chunk);
      this.push("\r\n");
    } else this.push(chunk);
    if (this.outBytes >= FLUSH_BYTES) this.flush();
    return !this.writer.needDrain;
  }

  /** Called once when the client has taken what was written (after write() returned false). */
  onDrain(cb: () => void): void {
    this.writer.onDrain(cb);
  }

  /** Send what is held back (the backend's current read is handled). */
  flush(): void {
    const out = this.out;
    const n = out.length;
    if (n === 0 || this.closed) return;
    this.headSent = true;
    if (n === 1) {
      this.writer.write(out[0]!);
    } else if (this.outBytes <= COALESCE_BYTES) {
      const buf = Buffer.allocUnsafe(this.outBytes);
      let o = 0;
      for (const x of out) o += typeof x === "string" ? buf.write(x, o, "latin1") : x.copy(buf, o);
      this.writer.write(buf);
    } else {
      // Large: one writev through the socket's Writable (ordered after any direct write still queued).
      const s = this.socket;
      s.cork();
      for (const x of out) {
        if (typeof x === "string") s.write(x, "latin1");
        else s.write(x);
      }
      s.uncork();
    }
    out.length = 0;
    this.outBytes = 0;
  }

  /** The response is complete: next request, or close when this connection cannot be reused. */
  end(): void {
    const req = this.active;
    if (!req || !this.started) return;
    if (this.chunked) this.push("0\r\n\r\n");
    this.flush();
    req.exchange = undefined;
    this.writer.onDrain(undefined);
    if (this.closeAfter || this.closed) {
      this.active = undefined;
      this.linger();
      return;
    }
    // The body is still arriving (the backend answered early): read and drop the rest first.
    if (!req.complete) {
      req.chunks = undefined;
      req.sink = undefined;
      this.finishedResponse = true;
      this.bodyFlow(req, true);
      return;
    }
    this.next();
  }

  private next(): void {
    this.active = undefined;
    this.bodyBlocked = false;
    const q = this.queue.shift();
    // A waiting request's body chunks stay buffered until it is piped; the next chunk read for it
    // pauses the client again (onBody), so at most one read is held.
    if (q) this.dispatch(q);
    else this.setDeadline(Deadline.Idle);
    this.updateReading();
  }

  /** A short plain-text answer of the router's own (404, 502, ...). */
  text(status: number, body: string, close = false): void {
    if (this.started) {
      // Headers went out already: the only honest signal left is to cut the response.
      if (!this.headSent) this.out.length = this.outBytes = 0;
      this.socket.destroy();
      return;
    }
    if (close) this.closeAfter = true;
    this.respond(
      status,
      "",
      "content-type: text/plain; charset=utf-8\r\ncontent-length: " + Buffer.byteLength(body) + "\r\n",
      true,
    );
    if (!this.noBody) this.push(Buffer.from(body));
    this.end();
  }

  /** Abort the connection (mid-response failure). */
  destroy(): void {
    this.socket.destroy();
  }

  private push(x: string | Buffer): void {
    this.out.push(x);
    this.outBytes += x.length;
  }

  // ---- lifecycle ----

  /**
   * Close after a final response. The client may still be sending (a refused upload): keep reading
   * and dropping for a while, as nginx's lingering close does, so its unread bytes do not make our
   * kernel answer with a reset that destroys the response before the client read it.
   */
  private linger(): void {
    this.lingering = true;
    this.parsing = undefined;
    this.queue.length = 0;
    if (this.paused) {
      this.paused = false;
      this.pauseSocket(false);
    }
    this.socket.end();
    this.setDeadline(Deadline.Linger);
  }

  private lingering = false;

  /** Graceful shutdown: an idle connection closes now, a busy one after its response. */
  shutdown(): void {
    this.draining = true;
    if (!this.active) this.socket.destroy();
    else this.closeAfter = true;
  }

  private setDeadline(kind: Deadline): void {
    this.deadlineKind = kind;
    const ms =
      kind === Deadline.Idle
        ? this.opts.keepAliveTimeoutMs
        : kind === Deadline.Headers
          ? this.opts.headersTimeoutMs
          : kind === Deadline.Linger
            ? LINGER_MS
            : 0;
    this.deadline = ms > 0 ? sweeper.deadline(ms) : 0;
  }

  /** Called by the sweeper when the deadline passed. */
  expire(): void {
    const kind = this.deadlineKind;
    this.setDeadline(Deadline.None);
    if (kind === Deadline.Headers && !this.active) {
      this.ownAnswer(408, "request timeout: the request head did not arrive in time\n");
    } else this.socket.destroy();
  }
}
