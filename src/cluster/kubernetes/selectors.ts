// Label selectors as query strings (the equality and set-based syntax the API server parses).
import type { V1LabelSelector } from "@kubernetes/client-node";

export function selectorString(sel: V1LabelSelector | Record<string, string> | undefined): string {
  if (!sel) return "";
  const s = (
    "matchLabels" in sel || "matchExpressions" in sel ? sel : { matchLabels: sel as Record<string, string> }
  ) as V1LabelSelector;
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === "In") parts.push(`${e.key} in (${(e.values ?? []).join(",")})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${(e.values ?? []).join(",")})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}
