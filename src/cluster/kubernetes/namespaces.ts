// Namespaces Wharf owns: created with Wharf's ownership labels; one that exists without
// them belongs to something else and is refused rather than taken over.
import type { V1Namespace } from "@kubernetes/client-node";
import { ConflictError } from "../../domain/errors.js";
import type { KubeClient } from "./client.js";
import { isKind } from "./errors.js";

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const WHARF = "wharf";
export const OWNER = "wharf.io/owner";

export interface Namespaces {
  /** Creates the namespace, or accepts it when Wharf (this `owner`) already owns it. */
  ensure(name: string, owner: string, labels?: Record<string, string>): Promise<V1Namespace>;
  get(name: string): Promise<V1Namespace | undefined>;
  /** Deletes it (its contents go with it); absent is fine. */
  remove(name: string): Promise<void>;
}

export function namespaces(k: KubeClient): Namespaces {
  return {
    async ensure(name, owner, labels = {}) {
      const op = { verb: "create", resource: "namespaces", name } as const;
      try {
        return await k.call(op, () =>
          k.core.createNamespace({
            body: { metadata: { name, labels: { ...labels, [MANAGED_BY]: WHARF, [OWNER]: owner } } },
          }),
        );
      } catch (e) {
        if (!isKind(e, "already-exists")) throw e;
      }
      const ns = await k.call({ verb: "get", resource: "namespaces", name }, () =>
        k.core.readNamespace({ name }),
      );
      const l = ns.metadata?.labels ?? {};
      if (l[MANAGED_BY] !== WHARF || l[OWNER] !== owner) {
        const who = l[MANAGED_BY]
          ? `is managed by "${l[MANAGED_BY]}"${l[OWNER] ? ` (owner "${l[OWNER]}")` : ""}`
          : "was not created by Wharf";
        throw new ConflictError(
          `namespace "${name}" already exists on ${k.server} and ${who}; choose another namespace for the pool, or remove or relabel that one (${MANAGED_BY}=${WHARF}, ${OWNER}=${owner})`,
        );
      }
      if (ns.status?.phase === "Terminating")
        throw new ConflictError(
          `namespace "${name}" on ${k.server} is being deleted; wait until it is gone and try again`,
        );
      return ns;
    },
    get: (name) =>
      k.optional({ verb: "get", resource: "namespaces", name }, () => k.core.readNamespace({ name })),
    async remove(name) {
      await k.optional({ verb: "delete", resource: "namespaces", name }, () =>
        k.core.deleteNamespace({ name }),
      );
    },
  };
}
