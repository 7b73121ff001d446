// Watch streams as the real API server serves them: newline-delimited JSON events over
// a chunked 200 response, the initial state as ADDED events when no resourceVersion is
// given, resumption after a given resourceVersion, objects entering or leaving a label
// or field selector seen as ADDED/DELETED, periodic BOOKMARK events when asked for, and
// an in-stream ERROR event carrying a 410 Status when the version is too old.
// Part of the stand-in (see server.ts).
import type { ServerResponse } from "node:http";
import { apiVersionOf, type ResourceType } from "./resources.js";
import { matchesFields, matchesLabels, type FieldRequirement, type Requirement } from "./selectors.js";
import { gone } from "./status.js";
import type { KObject, Store, StoreEvent } from "./store.js";

export interface WatchRequest {
  resource: ResourceType;
  namespace?: string;
  labels: Requirement[];
  fields: FieldRequirement[];
  resourceVersion?: string;
  bookmarks: boolean;
  timeoutSeconds?: number;
}

export class WatchHub {
  private readonly open = new Set<ServerResponse>();
  /** Per open watch: stops its events, bookmarks and timeout, leaving the socket open. */
  private readonly silencers = new Map<ServerResponse, () => void>();

  constructor(
    private readonly store: Store,
    private readonly bookmarkIntervalMs: number,
  ) {}

  /** Ends every open watch abruptly (a cut connection), as a network failure would. */
  cutAll(): number {
    const n = this.open.size;
    for (const res of this.open) res.socket?.destroy();
    this.open.clear();
    return n;
  }

  /**
   * Makes every open watch go silent without closing it (no events, no bookmarks, no
   * timeout), as a connection whose peer vanished looks to the client.
   */
  stallAll(): number {
    const n = this.silencers.size;
    for (const silence of this.silencers.values()) silence();
    this.silencers.clear();
    return n;
  }

  get openCount(): number {
    return this.open.size;
  }

  serve(w: WatchRequest, res: ServerResponse): void {
    const matches = (o: KObject | undefined) =>
      !!o &&
      (w.namespace === undefined || o.metadata.namespace === w.namespace) &&
      matchesLabels(w.labels, o.metadata.labels) &&
      matchesFields(w.fields, o);
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Transfer-Encoding": "chunked",
    });
    res.flushHeaders();
    const send = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + "\n");
    const deliver = (e: StoreEvent) => {
      if (e.resource !== w.resource) return;
      const now = e.type !== "DELETED" && matches(e.object);
      const before = e.type !== "ADDED" && matches(e.previous);
      if (e.type === "DELETED") {
        if (before) send("DELETED", e.object);
      } else if (now && before) send("MODIFIED", e.object);
      else if (now) send("ADDED", e.object);
      else if (before)
        send("DELETED", {
          ...e.previous!,
          metadata: { ...e.previous!.metadata, resourceVersion: String(e.rv) },
        });
    };

    const rv = w.resourceVersion;
    if (rv === undefined || rv === "" || rv === "0") {
      for (const o of this.store.list(w.resource, w.namespace)) if (matches(o)) send("ADDED", o);
    } else {
      const backlog = this.store.changesSince(Number(rv));
      if (backlog === "expired") {
        send("ERROR", gone(`too old resource version: ${rv} (${this.store.oldestResumableRv})`).status);
        res.end();
        return;
      }
      for (const e of backlog) deliver(e);
    }
    const unsubscribe = this.store.onChange(deliver);
    const timers: NodeJS.Timeout[] = [];
    if (w.bookmarks) {
      timers.push(
        setInterval(() => {
          const kind = w.resource.kind;
          send("BOOKMARK", {
            kind,
            apiVersion: apiVersionOf(w.resource),
            metadata: { resourceVersion: String(this.store.currentRv) },
          });
        }, this.bookmarkIntervalMs),
      );
    }
    if (w.timeoutSeconds && w.timeoutSeconds > 0)
      timers.push(setTimeout(() => res.end(), w.timeoutSeconds * 1000));
    const silence = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
    };
    this.open.add(res);
    this.silencers.set(res, silence);
    res.on("close", () => {
      silence();
      this.open.delete(res);
      this.silencers.delete(res);
    });
  }
}
