// dependency: --volumes-from, --link and --net=container:<x> pin the container to the
// node that holds every one of those containers.
import type { Filter } from "./filter.js";
import type { ClusterState } from "../state.js";
import type { CompiledRequest } from "../request.js";

function holds(state: ClusterState, node: number, ref: string): boolean {
  const c = state.findContainer(ref);
  return c !== undefined && c.node === node;
}

export const dependencyFilter: Filter = {
  name: "dependency",
  isStatic: false,
  conditions: (r: CompiledRequest) => [
    ...(r.req.volumesFrom ?? []).map((v) => `--volumes-from=${v}`),
    ...(r.req.links ?? []).map((l) => `--link=${l}`),
    ...(r.netContainer !== undefined ? [`--net=container:${r.netContainer}`] : []),
  ],
  applies: (r) => r.volumesFrom.length > 0 || r.links.length > 0 || r.netContainer !== undefined,
  accepts(state, node, r) {
    for (const v of r.volumesFrom) if (!holds(state, node, v)) return false;
    for (const l of r.links) if (!holds(state, node, l)) return false;
    if (r.netContainer !== undefined && !holds(state, node, r.netContainer)) return false;
    return true;
  },
};
