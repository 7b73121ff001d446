// Keep-alive connections to one backend: idle ones reused most-recent-first (warm, least likely to
// have been closed by the backend), at most `connections` open; beyond that requests wait in order.
import {
  H1Connection,
  type ConnectionOwner,
  type UpstreamHandler,
  type UpstreamRequest,
} from "./h1-connection.js";

export interface H1PoolOptions {
  connections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderSize: number;
}

export class H1Pool implements ConnectionOwner {
  private readonly idle: H1Connection[] = [];
  private readonly conns = new Set<H1Connection>();
  private readonly queue: [UpstreamRequest, UpstreamHandler][] = [];
  private open = 0;
  private closing = false;
  private onEmpty: (() => void) | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly opts: H1PoolOptions,
  ) {}

  dispatch(req: UpstreamRequest, h: UpstreamHandler): void {
    if (this.closing) {
      h.onError(Object.assign(new Error("the unit was removed"), { code: "UND_ERR_CLOSED" }));
      return;
    }
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (c.reusable) return c.dispatch(req, h);
      c.destroy();
    }
    if (this.open < this.opts.connections) {
      this.open++;
      const c = new H1Connection(this);
      this.conns.add(c);
      c.dispatch(req, h);
      return;
    }
    this.queue.push([req, h]);
  }

  release(c: H1Connection): void {
    if (this.closing) return c.destroy();
    const next = this.queue.shift();
    if (next) c.dispatch(next[0], next[1]);
    else this.idle.push(c);
  }

  removed(c: H1Connection): void {
    this.open--;
    this.conns.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.open === 0) this.onEmpty?.();
    // A slot freed up: the oldest waiting request gets a new connection.
    const next = !this.closing && this.queue.shift();
    if (next) this.dispatch(next[0], next[1]);
  }

  /** Stop taking requests; in-flight ones finish, then their connections close. */
  close(): Promise<void> {
    this.closing = true;
    for (const c of this.idle.splice(0)) c.destroy();
    for (const [, h] of this.queue.splice(0))
      h.onError(Object.assign(new Error("the unit was removed"), { code: "UND_ERR_CLOSED" }));
    if (this.open === 0) return Promise.resolve();
    return new Promise((r) => (this.onEmpty = r));
  }

  destroy(): void {
    this.closing = true;
    this.idle.length = 0;
    for (const c of this.conns) c.destroy();
  }
}
