// A container's counters from the Engine API's stats document (GET /containers/{id}/stats),
// in docker stats' terms: memory without the inactive page cache, CPU time and network bytes
// so far. Shared by the agent's fallback (one-shot stats on its socket) and the server's own
// sampling of nodes without a reporting agent (src/metrics/collectors.ts).
import type { Counters } from "./cgroups.js";

/** The fields of the stats document read here. */
export interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** The counters in a stats document, or null when it has none (a stopped container's is empty). */
export function countersFromStats(s: DockerStats | null | undefined): Counters | null {
  const usage = s?.memory_stats?.usage;
  const cpuNs = s?.cpu_stats?.cpu_usage?.total_usage;
  if (typeof usage !== "number" || typeof cpuNs !== "number") return null;
  const st = s?.memory_stats?.stats ?? {};
  const inactive = st.total_inactive_file ?? st.inactive_file ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s?.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { cpuNs, memoryBytes: inactive < usage ? usage - inactive : usage, rxBytes: rx, txBytes: tx };
}
