// One keep-alive HTTP/1.1 connection to a backend, carrying one request at a time. Purpose-built for
// the proxy: the request head is one write of a string, the body is streamed with backpressure, the
// response is parsed by llhttp straight into the handler (no per-request streams, promises or
// timers). Timeouts are deadlines checked by one shared sweeper (h1-sweeper.ts).
import { connect, type Socket } from "node:net";
import type { IncomingMessage } from "node:http";
import { BodyTooLargeError } from "./errors.js";
import { responseParser, type NodeHTTPParser } from "./h1-parser.js";
import { sweeper } from "./h1-sweeper.js";

/** What the proxy hands over per request; the same shape undici's dispatch handler had. */
export interface UpstreamHandler {
  /** Called once the request has a connection; abort() fails it (onError) and drops the socket. */
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(status: number, raw: string[], resume: () => void, statusText: string): boolean;
  /** Return false to pause the backend until resume() is called. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  /** Flat [name, value, ...] pairs, already filtered of hop-by-hop headers. */
  headers: string[];
  /** Streamed as it arrives; null = no body. */
  body: IncomingMessage | null;
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

function timeoutError(code: string): Error {
  return Object.assign(new Error(`upstream ${code}`), { code });
}

export class H1Connection {
  readonly socket: Socket;
  private readonly parser: NodeHTTPParser;
  private h: UpstreamHandler | undefined;
  private req: UpstreamRequest | undefined;
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
    this.setDeadline(owner.opts.connectTimeoutMs, "UND_ERR_CONNECT_TIMEOUT");
    s.on("connect", () => {
      this.connected = true;
      if (!this.h) this.setDeadline(this.idleMs, "");
      else if (this.bodyDone) this.setDeadline(owner.opts.headersTimeoutMs, "UND_ERR_HEADERS_TIMEOUT");
      else this.setDeadline(owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    });
    s.on("data", (chunk: Buffer) => this.onSocketData(chunk));
    s.on("end", () => {
      // Read-until-close responses complete on EOF; anything else in progress is cut short.
      this.parser.finish();
      if (this.h) this.fail(this.closedError());
      s.destroy();
    });
    s.on("error", (err) => (this.lastError = err));
    s.on("close", () => {
      sweeper.remove(this);
      if (this.h) this.fail(this.closedError());
      this.parser.close();
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
    sweeper.add(this);
  }

  /** Usable for a new request: idle, open, not half-closed by the backend. */
  get reusable(): boolean {
    return !this.h && !this.socket.destroyed && this.socket.readable && this.socket.writable;
  }

  dispatch(req: UpstreamRequest, h: UpstreamHandler): void {
    const gen = ++this.gen;
    this.h = h;
    this.req = req;
    this.keepAlive = false;
    this.informational = false;
    this.sentBytes = 0;
    h.onConnect((err) => {
      if (this.gen === gen && this.h) this.fail(err ?? new Error("request aborted"));
    });
    if (this.h !== h) return; // aborted synchronously
    let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
    const hs = req.headers;
    for (let i = 0; i < hs.length; i += 2) head += `${hs[i]}: ${hs[i + 1]}\r\n`;
    if (req.body && req.chunked) head += "transfer-encoding: chunked\r\n";
    this.socket.write(head + "\r\n");
    if (req.body) this.pumpBody(req.body, req.chunked, req.maxBodyBytes, gen);
    else this.bodySent();
  }

  private bodySent(): void {
    this.bodyDone = true;
    if (this.connected) this.setDeadline(this.owner.opts.headersTimeoutMs, "UND_ERR_HEADERS_TIMEOUT");
  }

  private pumpBody(body: IncomingMessage, chunked: boolean, limit: number, gen: number): void {
    this.bodyDone = false;
    const s = this.socket;
    if (this.connected) this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    const resume = () => body.resume();
    const onData = (c: Buffer) => {
      if (this.gen !== gen || !this.h) return detach();
      this.sentBytes += c.length;
      if (this.sentBytes > limit) return this.fail(new BodyTooLargeError(limit));
      if (this.connected) this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
      let ok: boolean;
      if (chunked) {
        s.cork();
        s.write(c.length.toString(16) + "\r\n");
        s.write(c);
        ok = s.write("\r\n");
        s.uncork();
      } else ok = s.write(c);
      if (!ok) {
        body.pause();
        s.once("drain", resume);
      }
    };
    const onEnd = () => {
      detach();
      if (this.gen !== gen || !this.h) return;
      if (chunked) s.write("0\r\n\r\n");
      this.bodySent();
    };
    const detach = () => {
      body.off("data", onData);
      body.off("end", onEnd);
      s.off("drain", resume);
    };
    body.on("data", onData);
    body.on("end", onEnd);
  }

  private onSocketData(chunk: Buffer): void {
    if (!this.h) {
      // Bytes on an idle connection: the backend is confused; never reuse it.
      this.socket.destroy();
      return;
    }
    const r = this.parser.execute(chunk);
    if (r instanceof Error) this.fail(r);
  }

  private onHeaders(status: number, text: string, raw: string[], keepAlive: boolean): boolean {
    if (status < 200) {
      this.informational = true; // 100/103: nothing to forward, the real response follows
      return false;
    }
    const h = this.h;
    if (!h) return true;
    this.keepAlive = keepAlive;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i]!;
      if (n.length === 10 && n.toLowerCase() === "keep-alive") this.keepAliveHint(raw[i + 1]!);
    }
    this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
    const gen = this.gen;
    h.onHeaders(
      status,
      raw,
      () => {
        if (this.gen === gen && this.paused) {
          this.paused = false;
          this.socket.resume();
          this.setDeadline(this.owner.opts.bodyTimeoutMs, "UND_ERR_BODY_TIMEOUT");
        }
      },
      text,
    );
    return this.req!.method === "HEAD";
  }

  /** A backend announcing "Keep-Alive: timeout=N" closes idle sockets after N s: retire ours first. */
  private keepAliveHint(v: string): void {
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
      this.socket.pause();
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
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    h.onComplete();
    if (reuse) {
      this.setDeadline(this.idleMs, "");
      this.owner.release(this);
    } else this.socket.destroy();
  }

  private fail(err: Error): void {
    const h = this.h;
    if (!h) return;
    this.h = undefined;
    this.req = undefined;
    this.deadline = 0;
    this.socket.destroy();
    h.onError(err);
  }

  private closedError(): Error {
    const e = this.lastError ?? new Error("the backend closed the connection before answering");
    if (!(e as { code?: string }).code) Object.assign(e, { code: "UND_ERR_SOCKET" });
    return e;
  }

  private setDeadline(ms: number, code: string): void {
    this.deadline = ms > 0 ? Date.now() + ms : 0;
    this.deadlineCode = code;
  }

  /** Called by the sweeper when the deadline passed. */
  expire(): void {
    this.deadline = 0;
    if (this.h) this.fail(timeoutError(this.deadlineCode));
    else this.socket.destroy(); // idle keep-alive socket past its lifetime
  }

  destroy(): void {
    this.socket.destroy();
  }

  get busy(): boolean {
    return this.h !== undefined;
  }
}
