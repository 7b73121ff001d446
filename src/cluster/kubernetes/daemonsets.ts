// DaemonSets (Wharf's node containers on a pool's nodes): create-or-replace with
// conflict retry, status, delete.
import type { V1DaemonSet } from "@kubernetes/client-node";
import { createOrReplace, type KubeClient } from "./client.js";

const RESOURCE = "daemonsets.apps";

export interface DaemonSets {
  get(namespace: string, name: string): Promise<V1DaemonSet | undefined>;
  apply(namespace: string, desired: V1DaemonSet): Promise<V1DaemonSet>;
  remove(namespace: string, name: string): Promise<void>;
}

export function daemonSets(k: KubeClient): DaemonSets {
  const op = (verb: "get" | "create" | "update" | "delete", namespace: string, name: string) => ({
    verb,
    resource: RESOURCE,
    namespace,
    name,
  });
  return {
    get: (namespace, name) =>
      k.optional(op("get", namespace, name), () => k.apps.readNamespacedDaemonSet({ namespace, name })),
    apply(namespace, desired) {
      const name = desired.metadata?.name ?? "";
      const body: V1DaemonSet = {
        ...desired,
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { ...desired.metadata, namespace },
      };
      return createOrReplace(
        k,
        { resource: RESOURCE, namespace, name },
        {
          read: () => k.apps.readNamespacedDaemonSet({ namespace, name }),
          create: () => k.apps.createNamespacedDaemonSet({ namespace, body }),
          replace: (cur) =>
            k.apps.replaceNamespacedDaemonSet({
              namespace,
              name,
              body: {
                ...body,
                metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion },
              },
            }),
        },
      );
    },
    async remove(namespace, name) {
      await k.optional(op("delete", namespace, name), () =>
        k.apps.deleteNamespacedDaemonSet({ namespace, name, body: { propagationPolicy: "Background" } }),
      );
    },
  };
}
