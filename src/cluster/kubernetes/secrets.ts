// Secrets: opaque ones (an app's private environment values) and kubernetes.io/
// dockerconfigjson image pull secrets, created or replaced with conflict retry. Values
// never appear in errors or logs.
import type { V1Secret } from "@kubernetes/client-node";
import { createOrReplace, type KubeClient } from "./client.js";

export interface RegistryCredentials {
  /** The registry host[:port] as images name it. */
  registry: string;
  username: string;
  password: string;
}

export interface Secrets {
  /** Creates or replaces an Opaque secret with these values. */
  apply(
    namespace: string,
    name: string,
    values: Record<string, string | Buffer>,
    labels?: Record<string, string>,
  ): Promise<void>;
  /** Creates or replaces an image pull secret for one registry. */
  applyImagePullSecret(
    namespace: string,
    name: string,
    creds: RegistryCredentials,
    labels?: Record<string, string>,
  ): Promise<void>;
  /** The secret's keys and when it was last changed (values are not returned). */
  describe(
    namespace: string,
    name: string,
  ): Promise<{ keys: string[]; type: string; resourceVersion: string } | undefined>;
  remove(namespace: string, name: string): Promise<void>;
}

/** The .dockerconfigjson document for one registry. */
export function dockerConfigJson(c: RegistryCredentials): string {
  const auth = Buffer.from(`${c.username}:${c.password}`).toString("base64");
  return JSON.stringify({ auths: { [c.registry]: { username: c.username, password: c.password, auth } } });
}

export function secrets(k: KubeClient): Secrets {
  const op = (verb: "get" | "create" | "update" | "delete", namespace: string, name: string) => ({
    verb,
    resource: "secrets",
    namespace,
    name,
  });
  const put = (
    namespace: string,
    name: string,
    type: string,
    data: Record<string, string>,
    labels: Record<string, string>,
  ) => {
    const body: V1Secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace, labels },
      type,
      data,
    };
    const create = () => k.core.createNamespacedSecret({ namespace, body });
    return createOrReplace(
      k,
      { resource: "secrets", namespace, name },
      {
        read: () => k.core.readNamespacedSecret({ namespace, name }),
        create,
        async replace(cur) {
          if (cur.type === type)
            return k.core.replaceNamespacedSecret({
              namespace,
              name,
              body: {
                ...body,
                metadata: { ...body.metadata, resourceVersion: cur.metadata?.resourceVersion },
              },
            });
          // The type of a Secret is immutable: replace it by delete (of the version read) and create.
          await k.optional(op("delete", namespace, name), () =>
            k.core.deleteNamespacedSecret({
              namespace,
              name,
              body: {
                preconditions: { uid: cur.metadata?.uid, resourceVersion: cur.metadata?.resourceVersion },
              },
            }),
          );
          return k.call(op("create", namespace, name), create);
        },
      },
    ).then(() => undefined);
  };
  const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64");
  return {
    apply: (namespace, name, values, labels = {}) =>
      put(
        namespace,
        name,
        "Opaque",
        Object.fromEntries(Object.entries(values).map(([key, v]) => [key, b64(v)])),
        labels,
      ),
    applyImagePullSecret: (namespace, name, creds, labels = {}) =>
      put(
        namespace,
        name,
        "kubernetes.io/dockerconfigjson",
        { ".dockerconfigjson": b64(dockerConfigJson(creds)) },
        labels,
      ),
    async describe(namespace, name) {
      const s = await k.optional(op("get", namespace, name), () =>
        k.core.readNamespacedSecret({ namespace, name }),
      );
      return s
        ? {
            keys: Object.keys(s.data ?? {}),
            type: s.type ?? "Opaque",
            resourceVersion: s.metadata?.resourceVersion ?? "",
          }
        : undefined;
    },
    async remove(namespace, name) {
      await k.optional(op("delete", namespace, name), () =>
        k.core.deleteNamespacedSecret({ namespace, name }),
      );
    },
  };
}
