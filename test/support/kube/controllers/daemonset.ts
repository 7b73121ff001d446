// The DaemonSet controller: one pod per eligible node (nodeSelector, taints), bound to
// the node directly; pods of an old template (controller-revision-hash) replaced one
// unavailable pod at a time (RollingUpdate, maxUnavailable); status counts as the real
// controller reports them. Part of the stand-in (see server.ts).
import type { Registry } from "../registry.js";
import { resourceOfKind } from "../resources.js";
import { safeHash, type KObject } from "../store.js";
import { unfit } from "./scheduler.js";
import {
  active,
  intOrPercent,
  omitZero,
  ownedBy,
  ownerRef,
  podAvailable,
  podReady,
  same,
  stableJson,
} from "./util.js";

const DS = resourceOfKind("DaemonSet");
const PODS = resourceOfKind("Pod");
const NODES = resourceOfKind("Node");
const HASH = "controller-revision-hash";

export function syncDaemonSets(reg: Registry): void {
  const nodes = reg.store.list(NODES);
  for (const ds of reg.store.list(DS)) {
    const ns = ds.metadata.namespace!;
    const hash = safeHash(stableJson(ds.spec.template), 10);
    const eligible = nodes.filter((n) => {
      const why = unfit(n, ds.spec.template?.spec);
      return why === undefined || why === "node(s) were unschedulable";
    });
    const pods = () => reg.store.list(PODS, ns).filter((p) => ownedBy(p, ds) && active(p));
    for (const p of pods())
      if (!eligible.some((n) => n.metadata.name === p.spec.nodeName)) reg.delete(PODS, ns, p.metadata.name);
    for (const n of eligible) {
      if (pods().some((p) => p.spec.nodeName === n.metadata.name)) continue;
      const t = ds.spec.template ?? {};
      reg.create(PODS, ns, {
        metadata: {
          generateName: `${ds.metadata.name}-`,
          namespace: ns,
          labels: { ...t.metadata?.labels, [HASH]: hash },
          ownerReferences: [ownerRef(ds)],
        },
        spec: { ...structuredClone(t.spec), nodeName: n.metadata.name },
      });
    }
    if (ds.spec.updateStrategy?.type !== "OnDelete") {
      const maxUnavailable = Math.max(
        1,
        intOrPercent(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, eligible.length, true),
      );
      const stale = pods().filter((p) => p.metadata.labels?.[HASH] !== hash);
      // Old pods that are not ready anyway go at once; ready ones only within maxUnavailable.
      for (const p of stale.filter((x) => !podReady(x))) reg.delete(PODS, ns, p.metadata.name);
      const unavailable = pods().filter((p) => !podReady(p)).length;
      for (const p of stale.filter(podReady).slice(0, Math.max(0, maxUnavailable - unavailable)))
        reg.delete(PODS, ns, p.metadata.name);
    }
    const now = pods();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const status = omitZero(
      {
        currentNumberScheduled: now.length,
        numberMisscheduled: 0,
        desiredNumberScheduled: eligible.length,
        numberReady: now.filter(podReady).length,
        observedGeneration: ds.metadata.generation,
        updatedNumberScheduled: now.filter((p) => p.metadata.labels?.[HASH] === hash).length,
        numberAvailable: now.filter((p) => podAvailable(p, minReady)).length,
        numberUnavailable: Math.max(0, eligible.length - now.filter((p) => podAvailable(p, minReady)).length),
      },
      ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"],
    );
    const fresh = reg.store.get(DS, ns, ds.metadata.name);
    if (fresh && !same(fresh.status, status)) {
      fresh.status = status;
      reg.store.update(DS, fresh);
    }
  }
}

export type { KObject };
