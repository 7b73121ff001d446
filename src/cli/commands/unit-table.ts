// The units table of `wharf app info`: per unit its id, process, node, address and
// status. Units follow tsuru's shape (reference §4.7): the node is `IP` (the node's
// host in the Docker-era provisioner) unless the server names it, the address is
// `Addresses[0].Host`, else `Address.Host`.
import { field, str, table } from "../output.js";

export function unitNode(u: unknown): string {
  return str(u, "Node") || str(u, "HostAddr") || str(u, "IP");
}

export function unitAddress(u: unknown): string {
  const addrs = field<unknown[]>(u, "Addresses");
  if (addrs?.length) return str(addrs[0], "Host");
  const a = field(u, "Address");
  return typeof a === "string" ? a : str(a, "Host");
}

/** Units without an ID (not created yet) are left out, as tsuru does. */
export function renderUnits(units: unknown[]): string {
  const shown = units.filter((u) => str(u, "ID"));
  const rows = shown
    .map((u) => [
      str(u, "ID").slice(0, 12),
      str(u, "ProcessName"),
      unitNode(u),
      unitAddress(u),
      str(u, "Status"),
    ])
    .sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0));
  return `Units: ${shown.length}\n${table(["Unit", "Process", "Node", "Address", "Status"], rows).trimEnd()}`;
}
