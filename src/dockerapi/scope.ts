// What one caller may see: the pools their teams may use, those pools' nodes, and the
// containers their teams made through the endpoint. Everything a handler looks up goes
// through here, so anything outside the scope is simply "No such container".
import { teamCanUsePool } from "../domain/pools.js";
import type { DockerContainerRecord, NodeRecord, StoreOps } from "../store/types.js";
import type { Caller } from "./identity.js";
import type { DockerRecords } from "./records.js";

export interface Scope {
  caller: Caller;
  pools: string[];
  /** Nodes of those pools, in registration order. */
  nodes: NodeRecord[];
  containers: DockerContainerRecord[];
  /** The same nodes by address (lists join tens of thousands of containers to their node). */
  byAddress: Map<string, NodeRecord>;
}

export async function loadScope(
  store: StoreOps,
  caller: Caller,
  records: Pick<DockerRecords, "list"> = { list: (f) => store.listDockerContainers(f) },
): Promise<Scope> {
  const [pools, constraints, nodes, containers] = await Promise.all([
    store.listPools(),
    store.listPoolConstraints(),
    store.listNodes(),
    caller.teams.length ? records.list({ teams: caller.teams }) : Promise.resolve([]),
  ]);
  const usable = pools
    .filter((p) =>
      caller.teams.some((t) =>
        teamCanUsePool({ name: p.name, default: p.isDefault, provisioner: p.provisioner }, t, constraints),
      ),
    )
    .map((p) => p.name);
  const set = new Set(usable);
  const mine = nodes.filter((n) => set.has(n.pool));
  return {
    caller,
    pools: usable,
    nodes: mine,
    containers,
    byAddress: new Map(mine.map((n) => [n.address, n])),
  };
}

export const nodeName = (n: NodeRecord): string => n.engineName || n.address;

export function nodeByAddress(scope: Scope, address: string): NodeRecord | undefined {
  return scope.byAddress.get(address);
}

/** A node of the scope named by engine name, address or engine id. */
export function findNode(scope: Scope, ref: string): NodeRecord | undefined {
  return scope.nodes.find((n) => n.engineName === ref || n.address === ref || n.engineId === ref);
}

const strip = (s: string): string => (s.startsWith("/") ? s.slice(1) : s);

/**
 * Swarm's lookup order (§7), inside the caller's containers only: exact or 12-character
 * engine id, exact or short swarm id, name (`n`, `/n`, `<node>/n`), then a unique prefix of
 * an engine or swarm id. Only created containers: one still being created has no engine id.
 */
export function findContainer(scope: Scope, ref: string): DockerContainerRecord | undefined {
  const list = scope.containers.filter((c) => c.containerId !== "");
  if (!ref) return undefined;
  const exact = list.find(
    (c) =>
      c.containerId === ref ||
      c.swarmId === ref ||
      (ref.length === 12 && (c.containerId.startsWith(ref) || c.swarmId.startsWith(ref))),
  );
  if (exact) return exact;
  const name = strip(ref);
  const byName = list.filter((c) => {
    if (c.name === name) return true;
    const slash = name.indexOf("/");
    if (slash < 0 || c.name !== name.slice(slash + 1)) return false;
    const node = scope.nodes.find((n) => n.address === c.node);
    const prefix = name.slice(0, slash);
    return node !== undefined && (node.engineName === prefix || node.engineId === prefix);
  });
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) return undefined;
  const prefixed = list.filter((c) => c.containerId.startsWith(ref) || c.swarmId.startsWith(ref));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
