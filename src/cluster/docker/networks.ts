// Docker networks Wharf keeps on a node, found by label: created with a fixed bridge name
// (so rules can name it in advance) and removed when their team leaves the node.
import type Docker from "dockerode";

export interface BridgeNetworkSpec {
  name: string;
  bridge: string;
  labels: Record<string, string>;
  /** false: containers on the network cannot reach each other (builds). */
  interContainer: boolean;
}

export interface NodeNetwork {
  id: string;
  name: string;
  bridge: string;
  labels: Record<string, string>;
  subnets: string[];
}

const isStatus = (e: unknown, code: number) => (e as { statusCode?: number }).statusCode === code;

export async function listNetworks(engine: Docker, label: string): Promise<NodeNetwork[]> {
  const nets = await engine.listNetworks({ filters: JSON.stringify({ label: [label] }) });
  return nets.map((n) => ({
    id: n.Id,
    name: n.Name,
    bridge: n.Options?.["com.docker.network.bridge.name"] ?? `br-${n.Id.slice(0, 12)}`,
    labels: n.Labels ?? {},
    subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? "").filter(Boolean),
  }));
}

export async function networkExists(engine: Docker, name: string): Promise<boolean> {
  try {
    await engine.getNetwork(name).inspect();
    return true;
  } catch (e) {
    if (isStatus(e, 404)) return false;
    throw e;
  }
}

/** Creates the network unless one of that name exists (then keeps it). */
export async function ensureBridgeNetwork(engine: Docker, s: BridgeNetworkSpec): Promise<void> {
  if (await networkExists(engine, s.name)) return;
  try {
    await engine.createNetwork({
      Name: s.name,
      Driver: "bridge",
      CheckDuplicate: true,
      Labels: s.labels,
      Options: {
        "com.docker.network.bridge.name": s.bridge,
        "com.docker.network.bridge.enable_icc": String(s.interContainer),
      },
    });
  } catch (e) {
    // Created meanwhile by another caller: the same network, fine.
    if (!isStatus(e, 409)) throw e;
  }
}

export async function removeNetwork(engine: Docker, name: string): Promise<void> {
  try {
    await engine.getNetwork(name).remove();
  } catch (e) {
    if (!isStatus(e, 404)) throw e;
  }
}
