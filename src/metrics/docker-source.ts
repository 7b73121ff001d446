// The server's view of a node's unit containers for sampling them itself (collectors.ts),
// through the node's Engine (src/cluster/docker): the unit containers by Wharf's labels, and
// one-shot stats (Engine API 1.41: one reading, no second sample to wait for) per container.
import type { Engine } from "../cluster/docker/engine.js";
import type { SampledContainer } from "../agent/sampler.js";
import { countersFromStats, type DockerStats } from "../agent/stats.js";
import type { NodeStatsSource } from "./collectors.js";

const MANAGED = "wharf.managed=true";

export function dockerStatsSource(engine: Engine): NodeStatsSource {
  return {
    async listUnits(): Promise<SampledContainer[]> {
      const list = await engine.containers.list({ labels: [MANAGED] });
      return list.map((c) => ({ id: c.Id, unit: c.Labels["wharf.unit"] ?? "", state: c.State }));
    },
    async pid(id) {
      return (await engine.containers.inspect(id)).State.Pid ?? 0;
    },
    async statsOnce(id) {
      return countersFromStats((await engine.containers.statsOnce(id)) as unknown as DockerStats);
    },
  };
}
