// The processes an app has: its desired processes (unit counts per process) and those of its
// deployed version's Procfile. Metrics and autoscale refuse a process not in this set.
import type { StoreOps } from "../../store/types.js";

export async function appProcesses(store: StoreOps, app: string): Promise<Set<string>> {
  const [desired, rt] = await Promise.all([store.listAppProcesses(app), store.getAppRuntime(app)]);
  const out = new Set(desired.map((p) => p.process));
  if (rt.routableVersion) {
    const v = await store.findAppVersion(app, rt.routableVersion);
    for (const p of Object.keys(v?.processes ?? {})) out.add(p);
  }
  return out;
}

/** The sentence for a process the app does not have. */
export function noSuchProcess(app: string, process: string, known: ReadonlySet<string>): string {
  return known.size
    ? `App "${app}" has no process "${process}": its processes are ${[...known].sort().join(", ")}.`
    : `App "${app}" has no process "${process}": it has not been deployed yet.`;
}
