// Helpers the simulated controllers share: owner references, pod readiness, int-or-
// percent values, stable JSON, conditions. Part of the stand-in (see server.ts).
import type { Any, KObject } from "../store.js";

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export function ownedBy(o: KObject, owner: KObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);
}

export function ownerRef(owner: KObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function podReady(p: KObject): boolean {
  return (p.status?.conditions ?? []).some((c: Any) => c.type === "Ready" && c.status === "True");
}

/** Ready for at least minReadySeconds (the "available" of ReplicaSets and Deployments). */
export function podAvailable(p: KObject, minReadySeconds: number): boolean {
  const c = (p.status?.conditions ?? []).find((x: Any) => x.type === "Ready" && x.status === "True");
  if (!c) return false;
  return minReadySeconds <= 0 || Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 <= Date.now();
}

export function active(p: KObject): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
}

/** An int-or-string value ("25%" or 2) against a total, rounded as Kubernetes does. */
export function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v ?? "0"));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** JSON with sorted keys, so equal objects compare equal whatever their key order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export function same(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** Drops zero counters, as Go's omitempty does in the real status objects. */
export function omitZero<T extends Record<string, unknown>>(o: T, keep: string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== 0 || keep.includes(k)) if (v !== undefined) out[k] = v;
  return out as T;
}
