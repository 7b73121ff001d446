// The fan-out of app logs: lines are stored (the store keeps each app's newest N), then
// handed to the followers of their app. Reads of the history come from a per-app ring in
// memory when this server is the only writer (SQLite), from the store otherwise; with
// several servers on one PostgreSQL, followers also poll the store for lines other servers
// ingested (lines are handed to followers in id order from the store; a line whose
// transaction commits after a higher id was already handed on is missed by followers,
// though it is in the history).
import type { AppLogRecord, NewAppLog, Store } from "../store/types.js";
import { matches } from "./entry.js";
import { Ring } from "./ring.js";

export type LogFilter = { source?: string; unit?: string };
export type LogListener = (lines: AppLogRecord[]) => void;

export interface LogHubOptions {
  store: Store;
  /** Lines kept per app, in the store and in memory. */
  historyLines: number;
  /** Other servers append to the same store: read history there, poll it for followers. */
  shared: boolean;
  pollMs?: number;
  /** Apps whose ring stays in memory (least recently used ones are dropped and reloaded). */
  cachedApps?: number;
  onError?: (err: unknown) => void;
}

interface Follower {
  filter: LogFilter;
  listener: LogListener;
}

interface CachedRing {
  ring: Ring<AppLogRecord> | null;
  /** Lines published while the ring was loading, merged in by id once it has loaded. */
  pending: AppLogRecord[];
  loading: Promise<Ring<AppLogRecord>>;
}

export class LogHub {
  private readonly rings = new Map<string, CachedRing>();
  private readonly followers = new Map<string, Set<Follower>>();
  /** Per followed app: the highest line id handed to its followers. */
  private readonly delivered = new Map<string, number>();
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private pollAgain = false;

  constructor(private readonly o: LogHubOptions) {}

  get historyLines(): number {
    return this.o.historyLines;
  }

  /** Stores the lines (those of apps that exist) and hands them to followers. */
  async append(lines: NewAppLog[]): Promise<AppLogRecord[]> {
    if (lines.length === 0) return [];
    const stored = await this.o.store.appendAppLogs(lines, this.o.historyLines);
    // Shared: followers get lines in id order from the store, so a line another server
    // stored a moment earlier is never skipped by handing this server's own lines first.
    if (this.o.shared) void this.poll();
    else this.publish(stored);
    return stored;
  }

  /** The newest n lines of the app matching the filter, oldest first. */
  async recent(app: string, n: number, filter: LogFilter = {}): Promise<AppLogRecord[]> {
    if (n <= 0) return [];
    if (this.o.shared) return this.o.store.listAppLogs(app, { limit: n, ...filter });
    return (await this.ring(app)).last(n, (l) => matches(l, filter));
  }

  /** Calls `listener` with every new matching line of the app until the returned stop is called. */
  subscribe(app: string, filter: LogFilter, listener: LogListener): () => void {
    const f: Follower = { filter, listener };
    let set = this.followers.get(app);
    if (!set) {
      set = new Set();
      this.followers.set(app, set);
      if (this.o.shared) void this.startFrom(app);
    }
    set.add(f);
    if (this.o.shared) this.ensurePoller();
    return () => {
      const s = this.followers.get(app);
      if (!s) return;
      s.delete(f);
      if (s.size === 0) {
        this.followers.delete(app);
        this.delivered.delete(app);
      }
      if (this.followers.size === 0) this.stopPoller();
    };
  }

  followerCount(app?: string): number {
    if (app !== undefined) return this.followers.get(app)?.size ?? 0;
    let n = 0;
    for (const s of this.followers.values()) n += s.size;
    return n;
  }

  close(): void {
    this.stopPoller();
    this.followers.clear();
    this.rings.clear();
  }

  private publish(stored: readonly AppLogRecord[]): void {
    const byApp = new Map<string, AppLogRecord[]>();
    for (const l of stored) byApp.set(l.app, [...(byApp.get(l.app) ?? []), l]);
    for (const [app, lines] of byApp) {
      const cached = this.rings.get(app);
      if (cached?.ring) for (const l of lines) cached.ring.push(l);
      else if (cached) cached.pending.push(...lines);
      const set = this.followers.get(app);
      if (!set) continue;
      const after = this.delivered.get(app) ?? 0;
      const fresh = lines.filter((l) => l.id > after);
      if (fresh.length === 0) continue;
      this.delivered.set(app, Math.max(after, fresh.at(-1)!.id));
      for (const f of [...set]) {
        const mine = fresh.filter((l) => matches(l, f.filter));
        if (mine.length === 0) continue;
        try {
          f.listener(mine);
        } catch (err) {
          this.o.onError?.(err);
        }
      }
    }
  }

  private ring(app: string): Promise<Ring<AppLogRecord>> {
    const hit = this.rings.get(app);
    if (hit) {
      // Least recently used last: re-insert on use.
      this.rings.delete(app);
      this.rings.set(app, hit);
      return hit.loading;
    }
    const entry: CachedRing = { ring: null, pending: [], loading: Promise.resolve(null as never) };
    entry.loading = this.o.store.listAppLogs(app, { limit: this.o.historyLines }).then(
      (rows) => {
        const ring = new Ring<AppLogRecord>(this.o.historyLines);
        for (const l of rows) ring.push(l);
        const top = rows.at(-1)?.id ?? 0;
        for (const l of entry.pending) if (l.id > top) ring.push(l);
        entry.pending = [];
        entry.ring = ring;
        return ring;
      },
      (err: unknown) => {
        this.rings.delete(app);
        throw err;
      },
    );
    this.rings.set(app, entry);
    const max = this.o.cachedApps ?? 200;
    while (this.rings.size > max) this.rings.delete(this.rings.keys().next().value!);
    return entry.loading;
  }

  /** Shared mode: followers of a newly followed app get lines after the newest stored now. */
  private async startFrom(app: string): Promise<void> {
    try {
      const [newest] = await this.o.store.listAppLogs(app, { limit: 1 });
      if (!this.delivered.has(app)) this.delivered.set(app, newest?.id ?? 0);
    } catch (err) {
      this.o.onError?.(err);
    }
  }

  private ensurePoller(): void {
    if (this.poller) return;
    this.poller = setInterval(() => void this.poll(), this.o.pollMs ?? 1000);
    this.poller.unref();
  }

  private stopPoller(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.pollAgain = false;
        for (const app of [...this.followers.keys()]) {
          const after = this.delivered.get(app);
          if (after === undefined) continue;
          const rows = await this.o.store.listAppLogs(app, { limit: 1000, afterId: after });
          if (rows.length) this.publish(rows);
        }
      } while (this.pollAgain);
    } catch (err) {
      this.o.onError?.(err);
    } finally {
      this.polling = false;
    }
  }
}
