// The ReplicaSet controller: keeps spec.replicas pods of the template (creating with
// generateName, deleting unscheduled, pending and unready pods first) and reports
// replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration.
// Part of the stand-in (see server.ts).
import type { Registry } from "../registry.js";
import { resourceOfKind } from "../resources.js";
import { matchesLabels, selectorSpecToRequirements } from "../selectors.js";
import type { KObject } from "../store.js";
import { active, omitZero, ownedBy, ownerRef, podAvailable, podReady, same } from "./util.js";

const RS = resourceOfKind("ReplicaSet");
const PODS = resourceOfKind("Pod");

function deletionRank(p: KObject): number {
  if (!p.spec?.nodeName) return 0;
  if (p.status?.phase === "Pending") return 1;
  if (!podReady(p)) return 2;
  return 3;
}

export function syncReplicaSets(reg: Registry): void {
  for (const rs of reg.store.list(RS)) {
    const ns = rs.metadata.namespace!;
    const mine = () => reg.store.list(PODS, ns).filter((p) => ownedBy(p, rs) && active(p));
    const pods = mine();
    const want = rs.spec.replicas ?? 1;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) {
        const t = rs.spec.template ?? {};
        reg.create(PODS, ns, {
          metadata: {
            generateName: `${rs.metadata.name}-`,
            namespace: ns,
            labels: { ...t.metadata?.labels },
            ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
            ownerReferences: [ownerRef(rs)],
          },
          spec: structuredClone(t.spec),
        });
      }
    } else if (pods.length > want) {
      const victims = [...pods]
        .sort(
          (a, b) =>
            deletionRank(a) - deletionRank(b) ||
            b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp),
        )
        .slice(0, pods.length - want);
      for (const p of victims) reg.delete(PODS, ns, p.metadata.name);
    }
    const now = mine();
    const sel = selectorSpecToRequirements({ matchLabels: rs.spec.template?.metadata?.labels ?? {} });
    const minReady = rs.spec.minReadySeconds ?? 0;
    const status = omitZero(
      {
        replicas: now.length,
        fullyLabeledReplicas: now.filter((p) => matchesLabels(sel, p.metadata.labels)).length,
        readyReplicas: now.filter(podReady).length,
        availableReplicas: now.filter((p) => podAvailable(p, minReady)).length,
        observedGeneration: rs.metadata.generation,
      },
      ["replicas"],
    );
    const fresh = reg.store.get(RS, ns, rs.metadata.name);
    if (fresh && !same(fresh.status, status)) {
      fresh.status = status;
      reg.store.update(RS, fresh);
    }
  }
}
