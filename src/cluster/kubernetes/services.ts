// Services: create-or-replace keeping what the API server allocated (clusterIP,
// clusterIPs, nodePorts of unchanged ports), with conflict retry; delete.
import type { V1Service } from "@kubernetes/client-node";
import { createOrReplace, type KubeClient } from "./client.js";

export interface Services {
  get(namespace: string, name: string): Promise<V1Service | undefined>;
  apply(namespace: string, desired: V1Service): Promise<V1Service>;
  remove(namespace: string, name: string): Promise<void>;
}

export function services(k: KubeClient): Services {
  const op = (verb: "get" | "create" | "update" | "delete", namespace: string, name: string) => ({
    verb,
    resource: "services",
    namespace,
    name,
  });
  return {
    get: (namespace, name) =>
      k.optional(op("get", namespace, name), () => k.core.readNamespacedService({ namespace, name })),
    apply(namespace, desired) {
      const name = desired.metadata?.name ?? "";
      const body: V1Service = {
        ...desired,
        apiVersion: "v1",
        kind: "Service",
        metadata: { ...desired.metadata, namespace },
      };
      return createOrReplace(
        k,
        { resource: "services", namespace, name },
        {
          read: () => k.core.readNamespacedService({ namespace, name }),
          create: () => k.core.createNamespacedService({ namespace, body }),
          replace: (cur) => {
            const sameType = (body.spec?.type ?? "ClusterIP") === (cur.spec?.type ?? "ClusterIP");
            const ports = (body.spec?.ports ?? []).map((p) => {
              const old = (cur.spec?.ports ?? []).find(
                (q) => q.port === p.port && (q.protocol ?? "TCP") === (p.protocol ?? "TCP"),
              );
              return p.nodePort === undefined && old?.nodePort !== undefined && sameType
                ? { ...p, nodePort: old.nodePort }
                : p;
            });
            const next: V1Service = {
              ...body,
              metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion },
              spec: {
                ...body.spec,
                ports,
                clusterIP: body.spec?.clusterIP ?? cur.spec?.clusterIP,
                clusterIPs: body.spec?.clusterIPs ?? cur.spec?.clusterIPs,
              },
            };
            return k.core.replaceNamespacedService({ namespace, name, body: next });
          },
        },
      );
    },
    async remove(namespace, name) {
      await k.optional(op("delete", namespace, name), () =>
        k.core.deleteNamespacedService({ namespace, name }),
      );
    },
  };
}
