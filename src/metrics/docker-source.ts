// The server's view of a node's unit containers for sampling them itself (collectors.ts),
// through Wharf's dockerode client: the unit containers by Wharf's labels, and one-shot
// stats (Engine API 1.41: one reading, no second sample to wait for) per container.
import type Docker from "dockerode";
import type { SampledContainer } from "../agent/sampler.js";
import { countersFromStats, type DockerStats } from "../agent/stats.js";
import type { NodeStatsSource } from "./collectors.js";

const MANAGED = "wharf.managed=true";

export function dockerStatsSource(engine: Docker): NodeStatsSource {
  return {
    async listUnits(): Promise<SampledContainer[]> {
      const list = await engine.listContainers({ filters: JSON.stringify({ label: [MANAGED] }) });
      return list.map((c) => ({ id: c.Id, unit: c.Labels["wharf.unit"] ?? "", state: c.State }));
    },
    async pid(id) {
      return (await engine.getContainer(id).inspect()).State.Pid ?? 0;
    },
    async statsOnce(id) {
      const s = await engine.getContainer(id).stats({ stream: false, "one-shot": true });
      return countersFromStats(s as unknown as DockerStats);
    },
  };
}
