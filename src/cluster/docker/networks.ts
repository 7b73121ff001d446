// Networks on one engine: Wharf's bridges found by label, created with a fixed bridge name (so
// network walls can name it in advance, src/isolation) and removed when their team leaves the node.
import type { Connection } from "./connection.js";
import { engineStatus, type NetworkInspect } from "./types.js";

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

export interface NetworkClient {
  /** Networks carrying the label (`key` or `key=value`). */
  list(label: string): Promise<NodeNetwork[]>;
  /** The same networks as the Engine API describes them (the Docker-API endpoint serves them on). */
  describe(label: string): Promise<NetworkInspect[]>;
  exists(name: string): Promise<boolean>;
  /** Creates the bridge network unless one of that name exists (then keeps it). */
  ensureBridge(s: BridgeNetworkSpec): Promise<void>;
  /** Removes the network by name or id; a missing one is fine. */
  remove(name: string): Promise<void>;
}

export function networkClient(c: Connection): NetworkClient {
  return {
    describe: (label) => c.docker.listNetworks({ filters: JSON.stringify({ label: [label] }) }),
    async list(label) {
      const nets = await this.describe(label);
      return nets.map((n) => ({
        id: n.Id,
        name: n.Name,
        bridge: n.Options?.["com.docker.network.bridge.name"] ?? `br-${n.Id.slice(0, 12)}`,
        labels: n.Labels ?? {},
        subnets: (n.IPAM?.Config ?? []).map((x) => x.Subnet ?? "").filter(Boolean),
      }));
    },
    async exists(name) {
      try {
        await c.docker.getNetwork(name).inspect();
        return true;
      } catch (e) {
        if (engineStatus(e) === 404) return false;
        throw e;
      }
    },
    async ensureBridge(s) {
      if (await this.exists(s.name)) return;
      try {
        await c.docker.createNetwork({
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
        if (engineStatus(e) !== 409) throw e;
      }
    },
    async remove(name) {
      try {
        await c.docker.getNetwork(name).remove();
      } catch (e) {
        if (engineStatus(e) !== 404) throw e;
      }
    },
  };
}
