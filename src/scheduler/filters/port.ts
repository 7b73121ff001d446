// port: a requested host port must be free on the node. Bridge mode compares HostPort
// with compatible host IPs; host networking compares exposed "80/tcp" keys against
// host-mode containers. Soft never applies.
import type { Filter } from "./filter.js";

const ALL_INTERFACES = new Set(["", "0.0.0.0", "::"]);

/** Two bindings on the same HostPort clash on equal IPs or when either binds everything. */
function ipsClash(a: string, b: string): boolean {
  return a === b || ALL_INTERFACES.has(a) || ALL_INTERFACES.has(b);
}

export const portFilter: Filter = {
  name: "port",
  isStatic: false,
  conditions: (r) =>
    r.req.hostNetwork
      ? r.hostPorts.map((p) => `port ${p} (Host mode)`)
      : r.bridgePorts.map((p) => `port ${p.hostPort} (Bridge mode)`),
  applies: (r) => r.bridgePorts.length > 0 || r.hostPorts.length > 0,
  accepts(state, node, r) {
    const used = state.bridgePorts[node]!;
    for (const b of r.bridgePorts) {
      const ips = used.get(b.hostPort);
      if (ips && ips.some((ip) => ipsClash(ip, b.hostIp))) return false;
    }
    const host = state.hostPorts[node]!;
    for (const p of r.hostPorts) if (host.has(p)) return false;
    return true;
  },
};
