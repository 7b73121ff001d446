// The units table of `wharf app info`: per unit its id, process, node, address and
// status, and from a Wharf server how often the healer replaced it and why it last stopped. Units follow tsuru's shape (reference §4.7): the node is `IP` (the node's
// host in the Docker-era provisioner) unless the server names it, the address is
// `Addresses[0].Host`, else `Address.Host`.
import { field, formatTime, str, table } from "../output.js";

export function unitNode(u: unknown): string {
  return str(u, "Node") || str(u, "HostAddr") || str(u, "IP");
}

export function unitAddress(u: unknown): string {
  const addrs = field<unknown[]>(u, "Addresses");
  if (addrs?.length) return str(addrs[0], "Host");
  const a = field(u, "Address");
  return typeof a === "string" ? a : str(a, "Host");
}

/** Why the unit's slot last stopped and when, from Wharf's LastExit* fields ("" = never). */
export function lastExit(u: unknown): string {
  const reason = str(u, "LastExitReason");
  if (!reason) return "";
  const at = formatTime(str(u, "LastExitAt"));
  return at ? `${reason} (${at})` : reason;
}

/**
 * Units without an ID (not created yet) are left out, as tsuru does. A Wharf server's
 * healing history (Restarts, LastExitReason) adds two columns; a tsuru server's table is
 * unchanged.
 */
export function renderUnits(units: unknown[]): string {
  const shown = units.filter((u) => str(u, "ID"));
  const healing = shown.some((u) => field(u, "Restarts") !== undefined);
  const rows = shown
    .map((u) => [
      str(u, "ID").slice(0, 12),
      str(u, "ProcessName"),
      unitNode(u),
      unitAddress(u),
      str(u, "Status"),
      ...(healing ? [str(u, "Restarts") || "0", lastExit(u)] : []),
    ])
    .sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0));
  const head = [
    "Unit",
    "Process",
    "Node",
    "Address",
    "Status",
    ...(healing ? ["Restarts", "Last exit"] : []),
  ];
  return `Units: ${shown.length}\n${table(head, rows).trimEnd()}`;
}
