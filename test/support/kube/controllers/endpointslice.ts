// The EndpointSlice controller: one discovery.k8s.io/v1 slice per selector Service,
// listing the addresses of the pods it selects with ready/serving/terminating
// conditions, nodeName and targetRef, and the Service's ports resolved to target
// ports; owned by the Service so it goes with it. Part of the stand-in (see server.ts).
import type { Registry } from "../registry.js";
import { resourceOfKind } from "../resources.js";
import { matchesLabels, selectorSpecToRequirements } from "../selectors.js";
import type { Any, KObject } from "../store.js";
import { ownerRef, podReady, same } from "./util.js";

const SERVICES = resourceOfKind("Service");
const PODS = resourceOfKind("Pod");
const SLICES = resourceOfKind("EndpointSlice");
const MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
const CONTROLLER = "endpointslice-controller.k8s.io";

function targetPort(svcPort: Any, pods: KObject[]): number | undefined {
  const tp = svcPort.targetPort ?? svcPort.port;
  if (typeof tp === "number") return tp;
  for (const p of pods)
    for (const c of p.spec?.containers ?? [])
      for (const cp of c.ports ?? []) if (cp.name === tp) return cp.containerPort;
  return undefined;
}

export function syncEndpointSlices(reg: Registry): void {
  for (const svc of reg.store.list(SERVICES)) {
    const sel = svc.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    const ns = svc.metadata.namespace!;
    const reqs = selectorSpecToRequirements({ matchLabels: sel });
    const pods = reg.store
      .list(PODS, ns)
      .filter(
        (p) =>
          matchesLabels(reqs, p.metadata.labels) &&
          p.status?.podIP &&
          p.status?.phase !== "Succeeded" &&
          p.status?.phase !== "Failed",
      )
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const endpoints = pods.map((p) => {
      const terminating = !!p.metadata.deletionTimestamp;
      const ready = podReady(p);
      return {
        addresses: [p.status.podIP],
        conditions: { ready: ready && !terminating, serving: ready, terminating },
        targetRef: { kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
        ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
      };
    });
    const ports = (svc.spec.ports ?? []).map((sp: Any) => ({
      name: sp.name ?? "",
      protocol: sp.protocol ?? "TCP",
      port: targetPort(sp, pods) ?? null,
    }));
    const existing = reg.store
      .list(SLICES, ns)
      .find(
        (s) =>
          s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name &&
          s.metadata.labels?.[MANAGED_BY] === CONTROLLER,
      );
    if (!existing) {
      reg.create(SLICES, ns, {
        metadata: {
          generateName: `${svc.metadata.name}-`,
          namespace: ns,
          labels: {
            ...svc.metadata.labels,
            "kubernetes.io/service-name": svc.metadata.name,
            [MANAGED_BY]: CONTROLLER,
          },
          ownerReferences: [ownerRef(svc)],
        },
        addressType: "IPv4",
        endpoints,
        ports,
      });
    } else if (!same(existing.endpoints, endpoints) || !same(existing.ports, ports)) {
      existing.endpoints = endpoints;
      existing.ports = ports;
      reg.store.update(SLICES, existing);
    }
  }
}
