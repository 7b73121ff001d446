// An app's state in a word and its units in a phrase, as the app list and app page show them.
import type { AppSummary, Unit } from "../api/types.js";

/** "2 started, 1 stopped", as tsuru's app-list counts units. */
export function unitSummary(units: readonly Unit[]): string {
  if (units.length === 0) return "no units";
  const by = new Map<string, number>();
  for (const u of units) by.set(u.Status, (by.get(u.Status) ?? 0) + 1);
  return [...by].map(([s, n]) => `${n} ${s}`).join(", ");
}

export function appStatus(a: AppSummary): string {
  if (a.lock?.Locked) return a.lock.Reason.replace(/^app\./, "") || "busy";
  if (a.units.length === 0) return "idle";
  if (a.units.some((u) => u.Status === "error" || u.Status === "crashed")) return "error";
  if (a.units.every((u) => u.Status === "started")) return "started";
  return a.units.find((u) => u.Status !== "started")!.Status;
}
