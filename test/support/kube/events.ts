// core/v1 Events the simulated kubelet and controllers record (Scheduled, Pulling,
// Failed, BackOff, Unhealthy, ScalingReplicaSet, ...), as `kubectl describe` shows them.
// Repeats of the same event bump its count, as the real event recorder does.
// Part of the stand-in (see server.ts).
import { randomBytes } from "node:crypto";
import type { Registry } from "./registry.js";
import { resourceOfKind } from "./resources.js";
import type { KObject } from "./store.js";

const EVENTS = resourceOfKind("Event");

export function recordEvent(
  reg: Registry,
  about: KObject,
  type: "Normal" | "Warning",
  reason: string,
  message: string,
  component = "kubelet",
): void {
  const ns = about.metadata.namespace ?? "default";
  if (!reg.store.get(resourceOfKind("Namespace"), undefined, ns)) return;
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const same = reg.store
    .list(EVENTS, ns)
    .find(
      (e) => e.involvedObject?.uid === about.metadata.uid && e.reason === reason && e.message === message,
    );
  if (same) {
    same.count = (same.count ?? 1) + 1;
    same.lastTimestamp = now;
    reg.store.update(EVENTS, same);
    return;
  }
  const apiVersion = about.apiVersion;
  try {
    reg.create(EVENTS, ns, {
      metadata: { name: `${about.metadata.name}.${randomBytes(8).toString("hex")}`, namespace: ns },
      involvedObject: {
        kind: about.kind,
        namespace: ns,
        name: about.metadata.name,
        uid: about.metadata.uid,
        apiVersion,
        resourceVersion: about.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: "",
    });
  } catch {
    // A namespace going away takes its events with it; nothing to record then.
  }
}
