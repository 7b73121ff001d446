// The scheduler's filters as far as Wharf's pools need them: node readiness, the
// unschedulable flag, nodeSelector and taints/tolerations; among the nodes that pass,
// the one running fewest pods. Part of the stand-in (see server.ts).
import { matchesLabels, selectorSpecToRequirements } from "../selectors.js";
import type { Any, KObject } from "../store.js";

export function tolerates(tolerations: Any[] | undefined, taint: Any): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if ((t.operator ?? "Equal") === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

export function nodeReady(node: KObject): boolean {
  return (node.status?.conditions ?? []).some((c: Any) => c.type === "Ready" && c.status === "True");
}

/** Why `node` cannot take `pod`, or undefined when it can. */
export function unfit(node: KObject, podSpec: Any): string | undefined {
  if (!nodeReady(node)) return "node(s) were not ready";
  if (node.spec?.unschedulable) return "node(s) were unschedulable";
  const reqs = selectorSpecToRequirements({ matchLabels: podSpec?.nodeSelector ?? {} });
  if (!matchesLabels(reqs, node.metadata.labels)) return "node(s) didn't match Pod's node affinity/selector";
  const bad = (node.spec?.taints ?? []).find(
    (t: Any) =>
      (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(podSpec?.tolerations, t),
  );
  if (bad) return `node(s) had untolerated taint {${bad.key}: ${bad.value ?? ""}}`;
  return undefined;
}

export function pickNode(
  nodes: KObject[],
  pods: KObject[],
  podSpec: Any,
): { node?: KObject; message?: string } {
  const reasons = new Map<string, number>();
  const fit: KObject[] = [];
  for (const n of nodes) {
    const why = unfit(n, podSpec);
    if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    else fit.push(n);
  }
  if (fit.length === 0) {
    const detail = [...reasons].map(([why, n]) => `${n} ${why}`).join(", ");
    return { message: `0/${nodes.length} nodes are available: ${detail || "no nodes registered"}.` };
  }
  const load = (n: KObject) =>
    pods.filter((p) => p.spec?.nodeName === n.metadata.name && !p.metadata.deletionTimestamp).length;
  fit.sort((a, b) => load(a) - load(b) || a.metadata.name.localeCompare(b.metadata.name));
  return { node: fit[0]! };
}
