// The pure bookkeeping of a resumable watch: which objects the consumer has been told
// about (at which resourceVersion) and the version to resume from. A re-list (after
// 410 Gone) is turned into the ADDED/MODIFIED/DELETED events the consumer missed, and a
// replayed event it has already seen is dropped, so across cuts and re-lists the
// consumer sees every change once, in order, and never a stale state.

export interface WatchedObject {
  metadata?: { uid?: string; name?: string; namespace?: string; resourceVersion?: string };
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

const keyOf = (o: WatchedObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

export class WatchCursor<T extends WatchedObject> {
  private readonly known = new Map<string, T>();
  /** The version to resume from: the last list's, event's or bookmark's. */
  resourceVersion: string | undefined;

  get size(): number {
    return this.known.size;
  }

  objects(): T[] {
    return [...this.known.values()];
  }

  /** A full list at `rv`: the events that bring the consumer's view to it. */
  relist(items: T[], rv: string): WatchEvent<T>[] {
    const out: WatchEvent<T>[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const k = keyOf(item);
      seen.add(k);
      const prev = this.known.get(k);
      if (!prev) out.push({ type: "ADDED", object: item });
      else if (prev.metadata?.uid !== item.metadata?.uid)
        out.push({ type: "DELETED", object: prev }, { type: "ADDED", object: item });
      else if (prev.metadata?.resourceVersion !== item.metadata?.resourceVersion)
        out.push({ type: "MODIFIED", object: item });
      this.known.set(k, item);
    }
    for (const [k, prev] of [...this.known]) {
      if (!seen.has(k)) {
        this.known.delete(k);
        out.push({ type: "DELETED", object: prev });
      }
    }
    this.resourceVersion = rv;
    return out;
  }

  /** One watch event; undefined when it repeats what the consumer already has. */
  apply(type: WatchEventType, object: T): WatchEvent<T> | undefined {
    const k = keyOf(object);
    const prev = this.known.get(k);
    const rv = object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === "DELETED") {
      if (!prev) return undefined;
      this.known.delete(k);
      return { type, object };
    }
    if (prev && prev.metadata?.uid === object.metadata?.uid && prev.metadata?.resourceVersion === rv)
      return undefined;
    this.known.set(k, object);
    // An object the consumer has not seen is ADDED to it, whatever the server called it.
    return { type: prev && prev.metadata?.uid === object.metadata?.uid ? "MODIFIED" : "ADDED", object };
  }

  bookmark(rv: string): void {
    this.resourceVersion = rv;
  }
}

/** Exponential back-off without randomness: initial, 2x, 4x, ... capped at max. */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, initialMs * 2 ** (failures - 1));
}
