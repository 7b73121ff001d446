// Nodes: Wharf never creates them (kubelets register themselves); it lists them, puts
// them into a pool by label (JSON merge patch on metadata.labels; null removes a
// label) and taints them (read, change spec.taints, replace with the read
// resourceVersion, retry on 409, since taints are a list the merge patch would replace).
import type { V1Node, V1Taint } from "@kubernetes/client-node";
import { NotFoundError } from "../../domain/errors.js";
import { mergePatch, retryOnConflict, type KubeClient } from "./client.js";
import { isKind } from "./errors.js";

export interface NodeSummary {
  name: string;
  address?: string;
  ready: boolean;
  unschedulable: boolean;
  labels: Record<string, string>;
  taints: V1Taint[];
}

export interface Nodes {
  list(labelSelector?: string): Promise<V1Node[]>;
  /** Finds a node by name or by one of its addresses. */
  find(nameOrAddress: string): Promise<V1Node | undefined>;
  label(name: string, labels: Record<string, string>): Promise<void>;
  unlabel(name: string, keys: string[]): Promise<void>;
  /** Adds or replaces the taint with the same key and effect. */
  taint(name: string, taint: V1Taint): Promise<void>;
  untaint(name: string, key: string, effect?: string): Promise<void>;
}

export function summarizeNode(n: V1Node): NodeSummary {
  const address = (n.status?.addresses ?? []).find((a) => a.type === "InternalIP")?.address;
  return {
    name: n.metadata?.name ?? "",
    ...(address ? { address } : {}),
    ready: (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    unschedulable: !!n.spec?.unschedulable,
    labels: n.metadata?.labels ?? {},
    taints: n.spec?.taints ?? [],
  };
}

export function nodes(k: KubeClient): Nodes {
  const op = (verb: "get" | "list" | "patch" | "update", name?: string) => ({
    verb,
    resource: "nodes",
    ...(name ? { name } : {}),
  });
  const list = async (labelSelector?: string) =>
    (await k.call(op("list"), () => k.core.listNode(labelSelector ? { labelSelector } : {}))).items;
  const patchLabels = async (name: string, labels: Record<string, string | null>) => {
    try {
      await k.call(op("patch", name), () =>
        k.core.patchNode({ name, body: { metadata: { labels } } }, mergePatch),
      );
    } catch (e) {
      if (isKind(e, "not-found"))
        throw new NotFoundError(
          `node ${name} is not registered in the Kubernetes cluster at ${k.server}; Wharf adds existing nodes, it does not create them`,
        );
      throw e;
    }
  };
  const editTaints = (name: string, edit: (t: V1Taint[]) => V1Taint[]) =>
    retryOnConflict(async () => {
      const n = await k.call(op("get", name), () => k.core.readNode({ name }));
      const next = edit(n.spec?.taints ?? []);
      if (JSON.stringify(next) === JSON.stringify(n.spec?.taints ?? [])) return;
      n.spec = { ...n.spec, taints: next };
      await k.call(op("update", name), () => k.core.replaceNode({ name, body: n }));
    });
  return {
    list,
    async find(nameOrAddress) {
      const byName = await k.optional(op("get", nameOrAddress), () =>
        k.core.readNode({ name: nameOrAddress }),
      );
      if (byName) return byName;
      return (await list()).find((n) => (n.status?.addresses ?? []).some((a) => a.address === nameOrAddress));
    },
    label: (name, labels) => patchLabels(name, labels),
    unlabel: (name, keys) => patchLabels(name, Object.fromEntries(keys.map((key) => [key, null]))),
    taint: (name, taint) =>
      editTaints(name, (ts) => [
        ...ts.filter((t) => !(t.key === taint.key && t.effect === taint.effect)),
        taint,
      ]),
    untaint: (name, key, effect) =>
      editTaints(name, (ts) =>
        ts.filter((t) => !(t.key === key && (effect === undefined || t.effect === effect))),
      ),
  };
}
