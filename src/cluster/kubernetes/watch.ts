// A watch that survives: it lists, then watches from the list's resourceVersion with
// bookmarks; a cut connection resumes from the last version seen; 410 Gone (as an
// ERROR event in the stream or as the response) re-lists and tells the consumer what it
// missed; failures reconnect with back-off, and after `lostAfter` consecutive failures
// the state is "lost" (the API server is gone for Wharf), until a connection works again.
import { Watch } from "@kubernetes/client-node";
import type { KubeClient } from "./client.js";
import { kubeError, isKind, KubeApiError, type KubeOperation } from "./errors.js";
import {
  backoffMs,
  WatchCursor,
  type WatchedObject,
  type WatchEvent,
  type WatchEventType,
} from "./watch-cursor.js";

export type WatchState =
  | { kind: "starting" }
  | { kind: "live" }
  | { kind: "reconnecting"; failures: number; error: string }
  | { kind: "lost"; since: Date; failures: number; error: string }
  | { kind: "stopped" };

const SEVERITY: Record<WatchState["kind"], number> = {
  stopped: 0,
  live: 1,
  starting: 2,
  reconnecting: 3,
  lost: 4,
};

/** The state of several watches as one: the worst of them. */
export function combinedWatchState(states: WatchState[]): WatchState {
  return states.reduce<WatchState>((worst, s) => (SEVERITY[s.kind] > SEVERITY[worst.kind] ? s : worst), {
    kind: "stopped",
  });
}

export interface ResumableWatchOptions<T> {
  client: KubeClient;
  /** For error messages and RBAC wording: verb "watch" on the resource. */
  op: KubeOperation;
  /** The collection path, e.g. /apis/discovery.k8s.io/v1/namespaces/NS/endpointslices. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  list(): Promise<{ items: T[]; resourceVersion: string }>;
  onEvent(e: WatchEvent<T>): void;
  onState?(s: WatchState): void;
  backoff?: { initialMs: number; maxMs: number };
  /** Consecutive failures after which the API server counts as lost (default 3). */
  lostAfter?: number;
  /** Asks the server to end each watch after this long, so connections are recycled (default 300). */
  timeoutSeconds?: number;
  /**
   * A watch still open this long after its timeoutSeconds (or a connection attempt that
   * has not answered by then) is taken for dead (a half-open connection the server can
   * no longer close), abandoned and reconnected (default 30 000).
   */
  silenceGraceMs?: number;
}

type Outcome = "closed" | "gone";

export class ResumableWatch<T extends WatchedObject> {
  readonly cursor = new WatchCursor<T>();
  private current: WatchState = { kind: "starting" };
  private stopped = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private firstSync: { resolve: () => void; reject: (e: Error) => void } | undefined;
  /** Counters for observers and tests: how often it re-listed and reconnected. */
  readonly stats = { lists: 0, watches: 0, gone: 0, silent: 0 };

  constructor(private readonly o: ResumableWatchOptions<T>) {}

  get state(): WatchState {
    return this.current;
  }

  /** Starts; resolves after the first list was delivered, rejects if that list fails for a reason other than connectivity. */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => (this.firstSync = { resolve, reject }));
    void this.run();
    return ready;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    this.setState({ kind: "stopped" });
  }

  private setState(s: WatchState): void {
    if (this.current.kind === "stopped") return;
    this.current = s;
    this.o.onState?.(s);
  }

  private emit(events: WatchEvent<T>[]): void {
    for (const e of events) this.o.onEvent(e);
  }

  private async run(): Promise<void> {
    let needList = true;
    let failures = 0;
    const { initialMs, maxMs } = this.o.backoff ?? { initialMs: 500, maxMs: 30_000 };
    while (!this.stopped) {
      try {
        if (needList) {
          const { items, resourceVersion } = await this.o.list();
          this.stats.lists++;
          if (this.stopped) return;
          this.emit(this.cursor.relist(items, resourceVersion));
          needList = false;
          this.firstSync?.resolve();
          this.firstSync = undefined;
        }
        const started = Date.now();
        let got = false;
        const outcome = await this.watchOnce(
          () => {
            failures = 0;
            if (this.current.kind !== "live") this.setState({ kind: "live" });
          },
          () => (got = true),
        );
        if (outcome === "gone") {
          this.stats.gone++;
          needList = true;
          continue;
        }
        // A stream the server ended at once, with nothing on it, counts as a failure (no busy loop).
        if (!got && Date.now() - started < 1000)
          throw new KubeApiError(503, `the watch on ${this.o.path} ended as soon as it opened`, "server");
      } catch (e) {
        if (this.stopped) return;
        if (isKind(e, "gone")) {
          this.stats.gone++;
          needList = true;
          continue;
        }
        const err = kubeError(this.o.client.server, this.o.op, e);
        // Credentials or rights that are wrong will not fix themselves: the first sync fails with them.
        if (
          this.firstSync &&
          (isKind(err, "forbidden") ||
            isKind(err, "unauthorized") ||
            isKind(err, "tls") ||
            isKind(err, "invalid"))
        ) {
          this.firstSync.reject(err);
          this.firstSync = undefined;
          this.stopped = true;
          this.setState({ kind: "stopped" });
          return;
        }
        failures++;
        const lostAfter = this.o.lostAfter ?? 3;
        this.setState(
          failures >= lostAfter
            ? {
                kind: "lost",
                since: this.current.kind === "lost" ? this.current.since : new Date(),
                failures,
                error: err.message,
              }
            : { kind: "reconnecting", failures, error: err.message },
        );
        await this.sleep(backoffMs(failures, initialMs, maxMs));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private watchOnce(onConnected: () => void, onLine: () => void): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      let finished = false;
      let gone = false;
      let failed: Error | undefined;
      let ctrl: AbortController | undefined;
      const timeoutSeconds = this.o.timeoutSeconds ?? 300;
      const query: Record<string, string | number | boolean | undefined> = {
        resourceVersion: this.cursor.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        labelSelector: this.o.labelSelector,
        fieldSelector: this.o.fieldSelector,
      };
      this.stats.watches++;
      // The server ends the watch at timeoutSeconds; one still open well after that is a
      // dead connection (no FIN will ever come), and one that never connected is stuck.
      const silence = setTimeout(
        () => {
          if (finished) return;
          finished = true;
          this.stats.silent++;
          ctrl?.abort();
          reject(
            new KubeApiError(
              503,
              `the watch on ${this.o.path} went silent past its ${timeoutSeconds}s timeout (a dead connection)`,
              "unreachable",
            ),
          );
        },
        timeoutSeconds * 1000 + (this.o.silenceGraceMs ?? 30_000),
      );
      const line = (type: string, obj: unknown) => {
        if (finished) return;
        if (type === "ERROR") {
          const status = obj as { code?: number; message?: string };
          if (status?.code === 410) gone = true;
          else
            failed = new KubeApiError(
              503,
              `the watch on ${this.o.path} failed: ${status?.message ?? "ERROR event"}`,
              "server",
            );
          ctrl?.abort();
          return;
        }
        onLine();
        onConnected();
        if (type === "BOOKMARK") {
          const rv = (obj as WatchedObject)?.metadata?.resourceVersion;
          if (rv) this.cursor.bookmark(rv);
          return;
        }
        if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") {
          const e = this.cursor.apply(type as WatchEventType, obj as T);
          if (e) this.o.onEvent(e);
        }
      };
      const done = (err: unknown) => {
        clearTimeout(silence);
        if (finished) return;
        finished = true;
        if (gone) return resolve("gone");
        if (failed) return reject(failed);
        const code = (err as { statusCode?: number })?.statusCode;
        if (code === 410) return resolve("gone");
        if (err && !(err instanceof Error && err.name === "AbortError")) return reject(err);
        resolve("closed");
      };
      new Watch(this.o.client.config)
        .watch(this.o.path, query, line, done)
        .then((c) => {
          ctrl = c;
          this.abort = c;
          if (this.stopped || finished) c.abort();
          else onConnected();
        })
        .catch((e: unknown) => {
          clearTimeout(silence);
          reject(e);
        });
    });
  }
}
