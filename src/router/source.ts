// Where route tables come from. A source pushes a full snapshot and then incremental updates into a
// sink; when it loses its feed the router keeps serving the last table, and the source resends a
// full snapshot when the feed returns (resync), so missed updates never linger.
import type { RouteSnapshot, RouteUpdate } from "./types.js";
import { ROUTE_CHANGE_KIND } from "../store/routes.js";

export interface RouteSink {
  snapshot(s: RouteSnapshot): void;
  update(u: RouteUpdate[]): void;
}

export interface RouteSource {
  start(sink: RouteSink): Promise<void>;
  stop(): Promise<void>;
}

/** A source driven by calls: for embedding (the server pushes directly), tests and benchmarks. */
export class ManualRouteSource implements RouteSource {
  private sink: RouteSink | undefined;
  private last: RouteSnapshot = { apps: [] };
  private pending: RouteUpdate[] = [];

  async start(sink: RouteSink): Promise<void> {
    this.sink = sink;
    sink.snapshot(this.last);
    if (this.pending.length) sink.update(this.pending.splice(0));
  }

  async stop(): Promise<void> {
    this.sink = undefined;
  }

  snapshot(s: RouteSnapshot): void {
    this.last = s;
    this.pending = [];
    this.sink?.snapshot(s);
  }

  update(u: RouteUpdate[]): void {
    if (this.sink) this.sink.update(u);
    else this.pending.push(...u);
  }
}

/** The subset of the Store (src/store/types.ts) this source needs. */
export interface ChangeFeed {
  latestChangeSeq(): Promise<number>;
  subscribeChanges(
    onChange: (c: { seq: number; kind: string; payload: unknown }) => void | Promise<void>,
    opts?: { fromSeq?: number; pollIntervalMs?: number },
  ): Promise<{ close(): Promise<void> }>;
}

export interface StoreRouteSourceOptions {
  feed: ChangeFeed;
  /** Builds the full table from the store (apps, cnames, routable units). Supplied by the server. */
  loadSnapshot(): Promise<RouteSnapshot>;
  /** Change kind carrying RouteUpdate[] payloads. */
  kind?: string;
  /** Change kind telling routers to reload the full snapshot (e.g. after a bulk change). */
  resyncKind?: string;
  /** Safety-net full reload period (ms); 0 disables. */
  resyncIntervalMs?: number;
  /** Retry delay after the store could not be read (ms). */
  retryMs?: number;
  pollIntervalMs?: number;
  onError?(err: unknown): void;
}

export { ROUTE_CHANGE_KIND };
export const ROUTE_RESYNC_KIND = "router.resync";

/**
 * Routes from the store's change feed (PostgreSQL LISTEN/NOTIFY or SQLite's in-process emitter, with
 * polling behind both). Order: read the feed position, then the snapshot, then follow the feed from
 * that position. An update landing in between is applied twice, which is harmless because updates
 * are idempotent; none can be missed.
 */
export class StoreRouteSource implements RouteSource {
  private sub: { close(): Promise<void> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sink: RouteSink | undefined;

  constructor(private readonly o: StoreRouteSourceOptions) {}

  async start(sink: RouteSink): Promise<void> {
    this.sink = sink;
    this.stopped = false;
    await this.connect();
    const every = this.o.resyncIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.resync(), every);
      this.timer.unref();
    }
  }

  private async connect(): Promise<void> {
    const kind = this.o.kind ?? ROUTE_CHANGE_KIND;
    const resyncKind = this.o.resyncKind ?? ROUTE_RESYNC_KIND;
    for (;;) {
      if (this.stopped) return;
      try {
        const seq = await this.o.feed.latestChangeSeq();
        this.sink!.snapshot(await this.o.loadSnapshot());
        this.sub = await this.o.feed.subscribeChanges(
          async (c) => {
            if (c.kind === kind) this.sink?.update(c.payload as RouteUpdate[]);
            else if (c.kind === resyncKind) this.sink?.snapshot(await this.o.loadSnapshot());
          },
          { fromSeq: seq, pollIntervalMs: this.o.pollIntervalMs ?? 1000 },
        );
        return;
      } catch (err) {
        // Store unreachable: the router keeps its last table and tries again.
        this.o.onError?.(err);
        await new Promise((r) => setTimeout(r, this.o.retryMs ?? 1000).unref());
      }
    }
  }

  /** Reload the full table and follow the feed from there. */
  async resync(): Promise<void> {
    const old = this.sub;
    this.sub = undefined;
    await old?.close().catch(() => undefined);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.sub?.close();
    this.sub = undefined;
  }
}
