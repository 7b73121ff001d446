// The stand-in's storage: objects per resource type, one cluster-wide resourceVersion
// counter (as etcd's revision), uids, creation timestamps, generations, and the recent
// history of changes that watches resume from. History older than the compaction point
// is gone, so a watch or list from such a version gets 410 Gone, as from a real server.
// Part of the stand-in (see server.ts).
import { randomUUID } from "node:crypto";
import { alreadyExists, conflict, notFound } from "./status.js";
import type { ResourceType } from "./resources.js";

export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  finalizers?: string[];
}

// Objects are JSON documents; the controllers read the fields they need.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any;

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Any;
  status?: Any;
  [field: string]: Any;
}

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  object: KObject;
  /** The object before this change (for MODIFIED/DELETED), so filtered watches see it leave. */
  previous?: KObject;
  rv: number;
}

const key = (ns: string | undefined, name: string) => `${ns ?? ""}/${name}`;
const GENERATION_KINDS = new Set([
  "Deployment",
  "ReplicaSet",
  "DaemonSet",
  "PodDisruptionBudget",
  "HorizontalPodAutoscaler",
]);

export class Store {
  private rv = 1;
  private readonly data = new Map<ResourceType, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  /** Changes at or below this version are no longer in the history. */
  private compactedRv = 1;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(private readonly historyLimit = 10_000) {}

  get currentRv(): number {
    return this.rv;
  }

  get oldestResumableRv(): number {
    return this.compactedRv;
  }

  onChange(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private table(r: ResourceType): Map<string, KObject> {
    let t = this.data.get(r);
    if (!t) this.data.set(r, (t = new Map()));
    return t;
  }

  get(r: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    const o = this.table(r).get(key(ns, name));
    return o ? structuredClone(o) : undefined;
  }

  mustGet(r: ResourceType, ns: string | undefined, name: string): KObject {
    const o = this.get(r, ns, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  list(r: ResourceType, ns?: string): KObject[] {
    const out: KObject[] = [];
    for (const o of this.table(r).values())
      if (ns === undefined || o.metadata.namespace === ns) out.push(structuredClone(o));
    return out.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  }

  create(r: ResourceType, obj: KObject): KObject {
    const t = this.table(r);
    const m = obj.metadata;
    if (!m.name && m.generateName) {
      do m.name = m.generateName + randomSuffix(5);
      while (t.has(key(m.namespace, m.name)));
    }
    if (t.has(key(m.namespace, m.name))) throw alreadyExists(r, m.name);
    m.uid = randomUUID();
    m.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    if (GENERATION_KINDS.has(obj.kind)) m.generation = 1;
    else delete m.generation;
    delete m.deletionTimestamp;
    return this.commit("ADDED", r, obj);
  }

  /**
   * Replaces an object. With `expectRv` (the resourceVersion the writer read), a stale
   * write is a 409 Conflict; without it the write is unconditional, as a PUT without
   * metadata.resourceVersion is on a real server.
   */
  update(r: ResourceType, obj: KObject, expectRv?: string): KObject {
    const t = this.table(r);
    const cur = t.get(key(obj.metadata.namespace, obj.metadata.name));
    if (!cur) throw notFound(r, obj.metadata.name);
    if (expectRv && expectRv !== cur.metadata.resourceVersion) throw conflict(r, obj.metadata.name);
    obj.metadata.uid = cur.metadata.uid;
    obj.metadata.creationTimestamp = cur.metadata.creationTimestamp;
    if (cur.metadata.generation !== undefined) {
      obj.metadata.generation =
        cur.metadata.generation + (JSON.stringify(cur.spec) !== JSON.stringify(obj.spec) ? 1 : 0);
    }
    if (
      JSON.stringify({ ...cur, metadata: { ...cur.metadata, resourceVersion: "" } }) ===
      JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: "" } })
    ) {
      return structuredClone(cur); // a no-op write does not bump the version (as on a real server)
    }
    return this.commit("MODIFIED", r, obj, cur);
  }

  remove(r: ResourceType, ns: string | undefined, name: string): KObject {
    const t = this.table(r);
    const cur = t.get(key(ns, name));
    if (!cur) throw notFound(r, name);
    t.delete(key(ns, name));
    return this.commit("DELETED", r, structuredClone(cur), cur);
  }

  private commit(type: EventType, r: ResourceType, obj: KObject, previous?: KObject): KObject {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    const stored = structuredClone(obj);
    if (type !== "DELETED") this.table(r).set(key(stored.metadata.namespace, stored.metadata.name), stored);
    const event: StoreEvent = {
      type,
      resource: r,
      object: structuredClone(stored),
      ...(previous ? { previous: structuredClone(previous) } : {}),
      rv: this.rv,
    };
    this.history.push(event);
    if (this.history.length > this.historyLimit)
      this.compactTo(this.history[this.history.length - this.historyLimit - 1]!.rv);
    for (const l of this.listeners) l(event);
    return structuredClone(stored);
  }

  private compactTo(rv: number): void {
    this.compactedRv = rv;
    this.history = this.history.filter((e) => e.rv > rv);
  }

  /** Drops all history up to now (as etcd compaction): older versions then answer 410. */
  compact(): number {
    this.compactTo(this.rv);
    return this.rv;
  }

  /** Changes after `rv`, or "expired" when they are no longer kept. */
  changesSince(rv: number): StoreEvent[] | "expired" {
    if (rv < this.compactedRv) return "expired";
    return this.history.filter((e) => e.rv > rv);
  }
}

const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return s;
}

/** A stable short hash in Kubernetes' "safe" alphabet, as pod-template-hash values look. */
export function safeHash(value: unknown, length = 10): string {
  let h = 2166136261;
  for (const ch of JSON.stringify(value)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  let s = "";
  let x = h;
  for (let i = 0; i < length; i++) {
    s += ALPHABET[x % ALPHABET.length];
    x = Math.floor(x / ALPHABET.length) || Math.imul(h, i + 7) >>> 0;
  }
  return s;
}
