// EndpointSlices of a Service (label kubernetes.io/service-name), listed or followed
// through a resumable watch, and the ready addresses a router should send traffic to.
import type { V1EndpointSlice } from "@kubernetes/client-node";
import type { KubeClient } from "./client.js";
import type { WatchEvent } from "./watch-cursor.js";
import { ResumableWatch, type WatchState } from "./watch.js";

export interface Backend {
  ip: string;
  port: number;
  pod?: string;
  node?: string;
}

/**
 * Addresses of ready endpoints, for the port named `portName` ("" = the unnamed port, or
 * the only one). A slice without that port offers none: guessing another of its ports
 * would send the traffic to the wrong listener.
 */
export function readyBackends(slices: V1EndpointSlice[], portName = ""): Backend[] {
  const out: Backend[] = [];
  for (const s of slices) {
    const ports = s.ports ?? [];
    const port =
      ports.find((p) => (p.name ?? "") === portName)?.port ??
      (portName === "" && ports.length === 1 ? ports[0]!.port : undefined);
    if (port === undefined || port === null) continue;
    for (const e of s.endpoints ?? []) {
      // ready is "serving and not terminating"; an absent ready counts as ready (as kube-proxy reads it).
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses ?? [])
        out.push({
          ip,
          port,
          ...(e.targetRef?.name ? { pod: e.targetRef.name } : {}),
          ...(e.nodeName ? { node: e.nodeName } : {}),
        });
    }
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip) || a.port - b.port);
}

export interface EndpointSlices {
  list(namespace: string, service: string): Promise<V1EndpointSlice[]>;
  /** Follows the Service's slices; `onChange` gets all current slices after every change. */
  follow(
    namespace: string,
    service: string,
    onChange: (slices: V1EndpointSlice[], e: WatchEvent<V1EndpointSlice>) => void,
    onState?: (s: WatchState) => void,
  ): ResumableWatch<V1EndpointSlice>;
}

export function endpointSlices(k: KubeClient): EndpointSlices {
  const selector = (service: string) => `kubernetes.io/service-name=${service}`;
  const list = async (namespace: string, service: string) => {
    const l = await k.call({ verb: "list", resource: "endpointslices.discovery.k8s.io", namespace }, () =>
      k.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: selector(service) }),
    );
    return l;
  };
  return {
    list: async (namespace, service) => (await list(namespace, service)).items,
    follow(namespace, service, onChange, onState) {
      const w: ResumableWatch<V1EndpointSlice> = new ResumableWatch<V1EndpointSlice>({
        client: k,
        op: { verb: "watch", resource: "endpointslices.discovery.k8s.io", namespace },
        path: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        labelSelector: selector(service),
        list: async () => {
          const l = await list(namespace, service);
          return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? "" };
        },
        onEvent: (e) => onChange(w.cursor.objects(), e),
        ...(onState ? { onState } : {}),
      });
      return w;
    },
  };
}
