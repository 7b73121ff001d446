// One keep-alive connection pool per backend (H1Pool, purpose-built: measured faster than undici's
// Pool and http.Agent for this proxy, see bench/router), plus the per-backend state the balancer and
// health checks share.
import { H1Pool } from "./h1-pool.js";
import type { Backend } from "./types.js";

export interface UpstreamOptions {
  /** Max sockets per backend. Beyond it requests queue in the pool instead of opening more. */
  connections: number;
  connectTimeoutMs: number;
  /** No response headers within this → 504 (hung backend). */
  headersTimeoutMs: number;
  /** Idle gap between body chunks → 504 (or a cut response once headers were sent). */
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Largest response head accepted from a backend. */
  maxHeaderSize?: number;
}

export class UpstreamBackend {
  readonly key: string;
  readonly pool: H1Pool;
  /** Requests currently dispatched to this backend (least-outstanding balancing). */
  outstanding = 0;
  /** Consecutive connection-level failures (passive health). */
  failures = 0;
  /** Passive ejection ends at this time (ms since epoch); 0 = not ejected. */
  ejectedUntil = 0;
  /** Result of the last active health check; true until a check says otherwise. */
  healthy = true;
  closed = false;

  constructor(
    readonly app: string,
    readonly backend: Backend,
    opts: UpstreamOptions,
  ) {
    this.key = backendKey(app, backend);
    this.pool = new H1Pool(backend.host, backend.port, {
      connections: opts.connections,
      connectTimeoutMs: opts.connectTimeoutMs,
      headersTimeoutMs: opts.headersTimeoutMs,
      bodyTimeoutMs: opts.bodyTimeoutMs,
      keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
      maxHeaderSize: opts.maxHeaderSize ?? 16 * 1024,
    });
  }

  get id(): string {
    return this.backend.id;
  }
}

export function backendKey(app: string, b: Backend): string {
  return `${app}\u0000${b.id}\u0000${b.host}:${b.port}`;
}

/** Owns every UpstreamBackend; reuses them across table swaps and closes the ones dropped. */
export class UpstreamRegistry {
  private readonly byKey = new Map<string, UpstreamBackend>();

  constructor(private readonly opts: UpstreamOptions) {}

  materialize(app: string, b: Backend): UpstreamBackend {
    const key = backendKey(app, b);
    let u = this.byKey.get(key);
    if (!u) {
      u = new UpstreamBackend(app, b, this.opts);
      this.byKey.set(key, u);
    }
    return u;
  }

  retain(live: ReadonlySet<UpstreamBackend>): void {
    for (const [key, u] of this.byKey) {
      if (live.has(u)) continue;
      this.byKey.delete(key);
      u.closed = true;
      // close() lets in-flight requests finish (a removed unit's last responses still arrive);
      // new requests no longer pick it because it left the table in the same swap.
      u.pool.close().catch(() => undefined);
    }
  }

  all(): UpstreamBackend[] {
    return [...this.byKey.values()];
  }

  async closeAll(): Promise<void> {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    await Promise.all(all.map((u) => u.pool.close().catch(() => undefined)));
  }

  destroyAll(): void {
    for (const u of this.byKey.values()) u.pool.destroy();
    this.byKey.clear();
  }
}
