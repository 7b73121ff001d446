// Where a Deployment's rollout stands, from the objects alone (pure): complete, still
// progressing, or failed with the reason a person can act on: the image cannot be
// pulled, the container keeps crashing, its configuration refers to something missing,
// the readiness probe fails, no node fits, or the progress deadline passed. The
// "complete" rule is kubectl rollout status's.
import type { CoreV1Event, V1Deployment, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";

export type RolloutFailure = "image-pull" | "crash-loop" | "config" | "probe" | "unschedulable" | "deadline";

export type RolloutState =
  | { phase: "progressing"; message: string }
  | { phase: "complete"; message: string }
  | { phase: "failed"; reason: RolloutFailure; message: string };

export const REVISION = "deployment.kubernetes.io/revision";

/** The ReplicaSet of the Deployment's current revision. */
export function currentReplicaSet(d: V1Deployment, sets: V1ReplicaSet[]): V1ReplicaSet | undefined {
  const rev = d.metadata?.annotations?.[REVISION];
  const owned = sets.filter((rs) =>
    (rs.metadata?.ownerReferences ?? []).some((o) => o.uid === d.metadata?.uid),
  );
  return owned.find((rs) => rs.metadata?.annotations?.[REVISION] === rev);
}

/** Pods that belong to a ReplicaSet (by its pod-template-hash). */
export function podsOf(rs: V1ReplicaSet | undefined, pods: V1Pod[]): V1Pod[] {
  const hash = rs?.metadata?.labels?.["pod-template-hash"];
  if (!hash) return [];
  return pods.filter(
    (p) => p.metadata?.labels?.["pod-template-hash"] === hash && !p.metadata?.deletionTimestamp,
  );
}

function latest(events: CoreV1Event[]): CoreV1Event | undefined {
  return [...events].sort((a, b) =>
    String(b.lastTimestamp ?? "").localeCompare(String(a.lastTimestamp ?? "")),
  )[0];
}

/** The first thing keeping the new pods from running and ready, if any. */
export function diagnose(
  pods: V1Pod[],
  events: CoreV1Event[],
  crashRestarts: number,
): { reason: RolloutFailure; message: string; final: boolean } | undefined {
  for (const p of pods) {
    const name = p.metadata?.name;
    const sched = (p.status?.conditions ?? []).find((c) => c.type === "PodScheduled" && c.status === "False");
    for (const cs of p.status?.containerStatuses ?? []) {
      const w = cs.state?.waiting;
      if (
        w &&
        ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"].includes(w.reason ?? "")
      ) {
        // In back-off the status only says "Back-off pulling"; the kubelet's Failed event has the registry's answer.
        const failed = latest(
          events.filter(
            (e) =>
              e.involvedObject?.uid === p.metadata?.uid &&
              e.reason === "Failed" &&
              /^Failed to pull image/.test(e.message ?? ""),
          ),
        );
        const detail = failed?.message ?? w.message;
        return {
          reason: "image-pull",
          message: `the image ${cs.image} of container ${cs.name} cannot be pulled (${w.reason}${detail ? `: ${detail}` : ""}); check the image name and the registry credentials`,
          final: w.reason !== "ErrImagePull",
        };
      }
      if (w && ["CreateContainerConfigError", "CreateContainerError"].includes(w.reason ?? "")) {
        return {
          reason: "config",
          message: `container ${cs.name} of pod ${name} cannot be created (${w.reason}${w.message ? `: ${w.message}` : ""})`,
          final: true,
        };
      }
      const crashed = w?.reason === "CrashLoopBackOff" || !!cs.state?.terminated;
      if (crashed && (cs.restartCount ?? 0) >= crashRestarts) {
        const t = cs.lastState?.terminated ?? cs.state?.terminated;
        return {
          reason: "crash-loop",
          message: `container ${cs.name} of pod ${name} keeps exiting (exit code ${t?.exitCode ?? "?"}${t?.reason ? `, ${t.reason}` : ""}, ${cs.restartCount} restarts); its log says why`,
          final: true,
        };
      }
    }
    if (sched)
      return {
        reason: "unschedulable",
        message: `pod ${name} cannot be scheduled: ${sched.message ?? sched.reason ?? "no node fits"}`,
        final: false,
      };
  }
  for (const p of pods) {
    const notReady = (p.status?.containerStatuses ?? []).find((cs) => cs.state?.running && !cs.ready);
    if (!notReady) continue;
    const probe = latest(
      events.filter((e) => e.involvedObject?.uid === p.metadata?.uid && e.reason === "Unhealthy"),
    );
    if (probe)
      return {
        reason: "probe",
        message: `container ${notReady.name} of pod ${p.metadata?.name} does not become ready: ${probe.message}`,
        final: false,
      };
  }
  return undefined;
}

/** The rollout's state; `crashRestarts` restarts make a crash loop final. */
export function rolloutState(
  d: V1Deployment,
  sets: V1ReplicaSet[],
  pods: V1Pod[],
  events: CoreV1Event[],
  crashRestarts = 2,
): RolloutState {
  const name = d.metadata?.name;
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0))
    return { phase: "progressing", message: "waiting for the deployment spec update to be observed" };
  const newPods = podsOf(currentReplicaSet(d, sets), pods);
  const why = diagnose(newPods, events, crashRestarts);
  const progressing = (s.conditions ?? []).find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return {
      phase: "failed",
      reason: why?.reason ?? "deadline",
      message: `deployment ${name} exceeded its progress deadline${why ? `: ${why.message}` : ""}`,
    };
  }
  if (why?.final) return { phase: "failed", reason: why.reason, message: why.message };
  const want = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < want)
    return { phase: "progressing", message: `${updated} of ${want} new replicas have been updated` };
  if ((s.replicas ?? 0) > updated)
    return {
      phase: "progressing",
      message: `${(s.replicas ?? 0) - updated} old replicas are pending termination`,
    };
  if ((s.availableReplicas ?? 0) < updated)
    return {
      phase: "progressing",
      message: `${s.availableReplicas ?? 0} of ${updated} updated replicas are available`,
    };
  return { phase: "complete", message: `deployment ${name} successfully rolled out` };
}
