// Host-side networking of the dev cluster: a bridge holding the /24's first address, one
// network namespace per node joined to it by a veth pair, and the forwarding/NAT rules
// that let node containers reach Debian's archive (for builds) through the host.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { run } from "../../util/exec.js";
import { hostAddress, type DevClusterLayout, type NodeNames } from "./layout.js";

async function linkExists(name: string): Promise<boolean> {
  return (await run("ip", ["link", "show", "dev", name], { allowFailure: true })).code === 0;
}

export async function ensureBridge(l: DevClusterLayout): Promise<void> {
  if (!(await linkExists(l.bridge))) {
    await run("ip", ["link", "add", "name", l.bridge, "type", "bridge"]);
  }
  const addrs = await run("ip", ["-o", "-4", "addr", "show", "dev", l.bridge]);
  if (!addrs.stdout.includes(`${hostAddress(l)}/24`)) {
    await run("ip", ["addr", "add", `${hostAddress(l)}/24`, "dev", l.bridge]);
  }
  await run("ip", ["link", "set", l.bridge, "up"]);
  await ensureForwarding(l);
}

/** iptables rules, each tagged with our comment so `down` removes only ours. */
function rules(l: DevClusterLayout): Array<{ table: string; chain: string; spec: string[] }> {
  const subnet = `${l.subnet24}.0/24`;
  const c = ["-m", "comment", "--comment", ruleComment(l)];
  return [
    // Docker sets the FORWARD policy to DROP and, with br_netfilter, bridged frames pass it too.
    { table: "filter", chain: "FORWARD", spec: ["-i", l.bridge, ...c, "-j", "ACCEPT"] },
    { table: "filter", chain: "FORWARD", spec: ["-o", l.bridge, ...c, "-j", "ACCEPT"] },
    {
      table: "nat",
      chain: "POSTROUTING",
      spec: ["-s", subnet, "!", "-o", l.bridge, ...c, "-j", "MASQUERADE"],
    },
  ];
}

async function ensureForwarding(l: DevClusterLayout): Promise<void> {
  await run("sysctl", ["-q", "-w", "net.ipv4.ip_forward=1"]);
  for (const r of rules(l)) {
    const present = await run("iptables", ["-t", r.table, "-C", r.chain, ...r.spec], { allowFailure: true });
    if (present.code !== 0) await run("iptables", ["-t", r.table, "-I", r.chain, "1", ...r.spec]);
  }
}

/** Tags our iptables rules; derived from the prefix so two layouts never remove each other's. */
export function ruleComment(l: DevClusterLayout): string {
  return l.cgroup;
}

/** Removes every iptables rule carrying our comment, including ones from another subnet setting. */
export async function removeForwarding(l: DevClusterLayout): Promise<void> {
  for (const table of ["filter", "nat"]) {
    const dump = await run("iptables-save", ["-t", table], { allowFailure: true });
    for (const line of dump.stdout.split("\n")) {
      if (!line.startsWith("-A ") || !line.includes(`--comment ${ruleComment(l)}`)) continue;
      // iptables-save prints rules in the form -D accepts; split respects its quoting rules for our rules
      const args = line.slice(3).split(" ");
      await run("iptables", ["-t", table, "-D", ...args], { allowFailure: true });
    }
  }
}

export async function ensureNodeNetwork(l: DevClusterLayout, n: NodeNames): Promise<void> {
  if (!existsSync(`/run/netns/${n.netns}`)) {
    await run("ip", ["netns", "add", n.netns]);
  }
  if (!(await linkExists(n.vethHost))) {
    // The node end may be left inside the namespace by a crashed run: deleting the namespace
    // end removes the pair, so recreate both.
    await run("ip", ["-n", n.netns, "link", "del", n.vethNode], { allowFailure: true });
    await run("ip", ["link", "add", n.vethHost, "type", "veth", "peer", "name", n.vethNode]);
    await run("ip", ["link", "set", n.vethNode, "netns", n.netns]);
  }
  await run("ip", ["link", "set", n.vethHost, "master", l.bridge]);
  await run("ip", ["link", "set", n.vethHost, "up"]);
  const inNs = (args: string[]) => run("ip", ["-n", n.netns, ...args]);
  await inNs(["link", "set", "lo", "up"]);
  const addrs = await inNs(["-o", "-4", "addr", "show", "dev", n.vethNode]);
  if (!addrs.stdout.includes(`${n.address}/24`)) {
    await inNs(["addr", "add", `${n.address}/24`, "dev", n.vethNode]);
  }
  await inNs(["link", "set", n.vethNode, "up"]);
  await inNs(["route", "replace", "default", "via", hostAddress(l)]);
}

/** Deletes a node's namespace (which removes its veth pair) and any leftover host end. */
export async function removeNodeNetwork(n: Pick<NodeNames, "netns" | "vethHost">): Promise<void> {
  if (existsSync(`/run/netns/${n.netns}`)) await run("ip", ["netns", "del", n.netns]);
  // The kernel destroys the pair with the namespace, asynchronously: the host end can still be
  // listed here and be gone by the time `link del` runs (seen when `up --shrink` removes a node).
  if (await linkExists(n.vethHost)) await run("ip", ["link", "del", n.vethHost], { allowFailure: true });
}

/** Namespaces carrying our prefix, found by name so crashed runs are cleaned too. */
export async function listOwnNamespaces(l: DevClusterLayout): Promise<string[]> {
  if (!existsSync("/run/netns")) return [];
  return (await readdir("/run/netns")).filter((n) => n.startsWith(`${l.prefix}-`));
}

export async function listOwnLinks(l: DevClusterLayout): Promise<string[]> {
  const out = await run("ip", ["-o", "link", "show"]);
  const names: string[] = [];
  for (const line of out.stdout.split("\n")) {
    const m = /^\d+:\s+([^:@]+)[@:]/.exec(line);
    if (m && m[1]!.startsWith(`${l.prefix}-`)) names.push(m[1]!);
  }
  return names;
}

export async function removeBridge(l: DevClusterLayout): Promise<void> {
  if (await linkExists(l.bridge)) await run("ip", ["link", "del", l.bridge]);
}

export async function setNodeLink(n: NodeNames, up: boolean): Promise<void> {
  await run("ip", ["link", "set", n.vethHost, up ? "up" : "down"]);
}
