// The Deployment controller, after kube-controller-manager's: one ReplicaSet per pod
// template (pod-template-hash), revisions in deployment.kubernetes.io/revision (a
// rollback to an old template re-uses and re-numbers its ReplicaSet), RollingUpdate
// bounded by maxSurge/maxUnavailable or Recreate, revisionHistoryLimit, and status with
// observedGeneration, replica counts and the Available/Progressing conditions including
// ProgressDeadlineExceeded. Part of the stand-in (see server.ts).
import { recordEvent } from "../events.js";
import type { Registry } from "../registry.js";
import { resourceOfKind } from "../resources.js";
import { safeHash, type Any, type KObject } from "../store.js";
import { active, intOrPercent, now, omitZero, ownedBy, ownerRef, same, stableJson } from "./util.js";

const DEPLOYMENTS = resourceOfKind("Deployment");
const RS = resourceOfKind("ReplicaSet");
const PODS = resourceOfKind("Pod");
const REVISION = "deployment.kubernetes.io/revision";
const HASH = "pod-template-hash";

const revision = (rs: KObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);
const replicas = (rs: KObject) => rs.spec?.replicas ?? 0;

function withoutHash(template: Any): Any {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH];
  return t;
}

function scale(reg: Registry, d: KObject, rs: KObject, to: number): void {
  if (replicas(rs) === to) return;
  const fresh = reg.store.get(RS, rs.metadata.namespace, rs.metadata.name)!;
  const up = to > replicas(fresh);
  fresh.spec.replicas = to;
  fresh.metadata.annotations = {
    ...fresh.metadata.annotations,
    "deployment.kubernetes.io/desired-replicas": String(d.spec.replicas),
    "deployment.kubernetes.io/max-replicas": String(d.spec.replicas + maxSurgeOf(d)),
  };
  reg.store.update(RS, fresh);
  rs.spec.replicas = to;
  recordEvent(
    reg,
    d,
    "Normal",
    "ScalingReplicaSet",
    `Scaled ${up ? "up" : "down"} replica set ${rs.metadata.name} to ${to}`,
    "deployment-controller",
  );
}

function maxSurgeOf(d: KObject): number {
  if (d.spec.strategy?.type !== "RollingUpdate") return 0;
  return intOrPercent(d.spec.strategy.rollingUpdate?.maxSurge ?? "25%", d.spec.replicas, true);
}

function maxUnavailableOf(d: KObject): number {
  if (d.spec.strategy?.type !== "RollingUpdate") return 0;
  const mu = intOrPercent(d.spec.strategy.rollingUpdate?.maxUnavailable ?? "25%", d.spec.replicas, false);
  return mu === 0 && maxSurgeOf(d) === 0 ? 1 : Math.min(mu, d.spec.replicas);
}

function available(rs: KObject): number {
  return rs.status?.availableReplicas ?? 0;
}

function rollingUpdate(reg: Registry, d: KObject, newRs: KObject, olds: KObject[]): void {
  const want = d.spec.replicas;
  const all = [newRs, ...olds];
  const total = () => all.reduce((n, rs) => n + replicas(rs), 0);
  if (replicas(newRs) > want) scale(reg, d, newRs, want);
  else if (replicas(newRs) < want) {
    const room = want + maxSurgeOf(d) - total();
    if (room > 0) scale(reg, d, newRs, replicas(newRs) + Math.min(room, want - replicas(newRs)));
  }
  const oldCount = olds.reduce((n, rs) => n + replicas(rs), 0);
  if (oldCount === 0) return;
  const minAvailable = want - maxUnavailableOf(d);
  const newUnavailable = replicas(newRs) - available(newRs);
  let budget = total() - minAvailable - newUnavailable;
  if (budget <= 0) return;
  const oldest = [...olds].sort(
    (a, b) =>
      a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || revision(a) - revision(b),
  );
  // First the old pods that are not available anyway, then available ones down to minAvailable.
  for (const rs of oldest) {
    if (budget <= 0) break;
    const unhealthy = replicas(rs) - Math.min(available(rs), replicas(rs));
    const n = Math.min(budget, unhealthy);
    if (n > 0) {
      scale(reg, d, rs, replicas(rs) - n);
      budget -= n;
    }
  }
  let canDrop = all.reduce((n, rs) => n + Math.min(available(rs), replicas(rs)), 0) - minAvailable;
  for (const rs of oldest) {
    if (canDrop <= 0) break;
    const n = Math.min(replicas(rs), canDrop);
    if (n > 0) {
      scale(reg, d, rs, replicas(rs) - n);
      canDrop -= n;
    }
  }
}

function recreate(reg: Registry, d: KObject, newRs: KObject, olds: KObject[]): void {
  for (const rs of olds) scale(reg, d, rs, 0);
  const oldPods = reg.store.list(PODS, d.metadata.namespace).filter((p) => olds.some((rs) => ownedBy(p, rs)));
  if (oldPods.length === 0) scale(reg, d, newRs, d.spec.replicas);
}

function setCondition(conds: Any[], c: Any, keepTransitionIfSameStatus = false): Any[] {
  const cur = conds.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason && !keepTransitionIfSameStatus) return conds;
  const t = now();
  const next = {
    ...c,
    lastUpdateTime: t,
    lastTransitionTime: cur && cur.status === c.status ? cur.lastTransitionTime : t,
  };
  return [...conds.filter((x) => x.type !== c.type), next];
}

function syncOne(reg: Registry, d: KObject): void {
  const ns = d.metadata.namespace!;
  const owned = reg.store.list(RS, ns).filter((rs) => ownedBy(rs, d));
  let newRs = owned.find(
    (rs) => stableJson(withoutHash(rs.spec.template)) === stableJson(withoutHash(d.spec.template)),
  );
  const olds = owned.filter((rs) => rs !== newRs);
  const maxRev = olds.reduce((m, rs) => Math.max(m, revision(rs)), 0);
  let conds: Any[] = structuredClone(d.status?.conditions ?? []);
  let created = false;
  if (!newRs) {
    const hash = safeHash(stableJson(withoutHash(d.spec.template)));
    const template = withoutHash(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH]: hash } };
    const anyOldActive = olds.some((rs) => replicas(rs) > 0);
    const initial = d.spec.paused
      ? 0
      : !anyOldActive && d.spec.strategy?.type !== "Recreate"
        ? d.spec.replicas
        : 0;
    newRs = reg.create(RS, ns, {
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        labels: { ...d.spec.template?.metadata?.labels, [HASH]: hash },
        annotations: {
          [REVISION]: String(maxRev + 1),
          "deployment.kubernetes.io/desired-replicas": String(d.spec.replicas),
          "deployment.kubernetes.io/max-replicas": String(d.spec.replicas + maxSurgeOf(d)),
        },
        ownerReferences: [ownerRef(d)],
      },
      spec: {
        replicas: initial,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector?.matchLabels, [HASH]: hash } },
        template,
      },
    });
    created = true;
    if (initial > 0)
      recordEvent(
        reg,
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled up replica set ${newRs.metadata.name} to ${initial}`,
        "deployment-controller",
      );
    conds = setCondition(conds, {
      type: "Progressing",
      status: "True",
      reason: "NewReplicaSetCreated",
      message: `Created new replica set "${newRs.metadata.name}"`,
    });
  } else if (revision(newRs) <= maxRev) {
    newRs.metadata.annotations = { ...newRs.metadata.annotations, [REVISION]: String(maxRev + 1) };
    newRs = reg.store.update(RS, newRs);
    conds = setCondition(conds, {
      type: "Progressing",
      status: "True",
      reason: "FoundNewReplicaSet",
      message: `Found new replica set "${newRs.metadata.name}"`,
    });
  }
  if (d.metadata.annotations?.[REVISION] !== newRs.metadata.annotations?.[REVISION]) {
    const fresh = reg.store.get(DEPLOYMENTS, ns, d.metadata.name)!;
    fresh.metadata.annotations = {
      ...fresh.metadata.annotations,
      [REVISION]: newRs.metadata.annotations![REVISION]!,
    };
    d = reg.store.update(DEPLOYMENTS, fresh);
  }
  if (!d.spec.paused && !created) {
    if (d.spec.strategy?.type === "Recreate") recreate(reg, d, newRs, olds);
    else rollingUpdate(reg, d, newRs, olds);
  }
  // Old, empty ReplicaSets beyond the history limit go.
  const limit = d.spec.revisionHistoryLimit ?? 10;
  const empty = olds
    .filter((rs) => replicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0)
    .sort((a, b) => revision(a) - revision(b));
  for (const rs of empty.slice(0, Math.max(0, empty.length - limit))) reg.delete(RS, ns, rs.metadata.name);

  const all = reg.store.list(RS, ns).filter((rs) => ownedBy(rs, d));
  const fresh = all.find((rs) => rs.metadata.uid === newRs!.metadata.uid) ?? newRs;
  const sum = (f: (rs: KObject) => number) => all.reduce((n, rs) => n + f(rs), 0);
  const specTotal = sum(replicas);
  const status: Any = omitZero({
    observedGeneration: d.metadata.generation,
    replicas: sum((rs) => rs.status?.replicas ?? 0),
    updatedReplicas: fresh.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: sum(available),
    unavailableReplicas: Math.max(0, specTotal - sum(available)),
  });
  const minAvailable = d.spec.replicas - maxUnavailableOf(d);
  conds = setCondition(
    conds,
    (status.availableReplicas ?? 0) >= minAvailable
      ? {
          type: "Available",
          status: "True",
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        }
      : {
          type: "Available",
          status: "False",
          reason: "MinimumReplicasUnavailable",
          message: "Deployment does not have minimum availability.",
        },
  );
  const old = d.status ?? {};
  const oldPodsLeft = reg.store
    .list(PODS, ns)
    .some(
      (p) =>
        active(p) &&
        all.some((rs) => rs !== fresh && rs.metadata.uid !== fresh.metadata.uid && ownedBy(p, rs)),
    );
  const complete =
    (status.updatedReplicas ?? 0) === d.spec.replicas &&
    (status.replicas ?? 0) === d.spec.replicas &&
    (status.availableReplicas ?? 0) === d.spec.replicas &&
    !oldPodsLeft;
  const progressed =
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0) ||
    (status.replicas ?? 0) - (status.updatedReplicas ?? 0) < (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const prog = conds.find((c) => c.type === "Progressing");
  const name = fresh.metadata.name;
  if (d.spec.progressDeadlineSeconds !== undefined && !d.spec.paused) {
    if (complete)
      conds = setCondition(conds, {
        type: "Progressing",
        status: "True",
        reason: "NewReplicaSetAvailable",
        message: `ReplicaSet "${name}" has successfully progressed.`,
      });
    else if (progressed)
      conds = setCondition(
        conds,
        {
          type: "Progressing",
          status: "True",
          reason: "ReplicaSetUpdated",
          message: `ReplicaSet "${name}" is progressing.`,
        },
        true,
      );
    else if (
      prog &&
      prog.reason !== "NewReplicaSetAvailable" &&
      prog.reason !== "ProgressDeadlineExceeded" &&
      Date.parse(prog.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 < Date.now()
    ) {
      conds = setCondition(conds, {
        type: "Progressing",
        status: "False",
        reason: "ProgressDeadlineExceeded",
        message: `ReplicaSet "${name}" has timed out progressing.`,
      });
    }
  }
  status.conditions = [...conds].sort((a, b) =>
    a.type === "Available" ? -1 : b.type === "Available" ? 1 : 0,
  );
  const cur = reg.store.get(DEPLOYMENTS, ns, d.metadata.name);
  if (cur && !same(cur.status, status)) {
    cur.status = status;
    reg.store.update(DEPLOYMENTS, cur);
  }
}

export function syncDeployments(reg: Registry): void {
  for (const d of reg.store.list(DEPLOYMENTS)) syncOne(reg, d);
}
