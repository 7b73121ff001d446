// The pure rule model of a node's network walls: from what Wharf knows (the team networks on
// the node, the cluster's internal addresses, who may reach published ports, which endpoints
// each team may open) to the exact iptables-restore input of the chains Wharf owns.
//
// Why these rules (docs/security.md has the long form):
// - Cross-node traffic is MASQUERADEd to the source node's address, so the destination node
//   cannot tell team A's unit from team B's: the wall is EGRESS on the source node (a team's
//   bridge may open only its own endpoints and its bound services among internal addresses),
//   plus INGRESS on every node (published ports of Wharf networks accept only routers and
//   cluster nodes, whose own egress is walled).
// - Packets reach FORWARD already DNATed, so destinations are matched on conntrack's original
//   destination: the same rule covers a local DNAT (unit -> own node's published port) and a
//   forwarded one (unit -> another node).
// - Docker's DOCKER-ISOLATION chains drop every bridge-to-bridge packet, DNATed ones included;
//   an allowed path that crosses bridges (a bound service on another network) is ACCEPTed here,
//   before them.
// - Container -> own node (Docker API, sshd, the proxy of its own published ports) is INPUT,
//   which DOCKER-USER never sees: WHARF-INPUT rejects all of it but the team's own ports.
import { createHash } from "node:crypto";
import type { TeamNetworkNames } from "./names.js";

export const FORWARD_CHAIN = "WHARF-FORWARD";
export const INPUT_CHAIN = "WHARF-INPUT";
export const DIGEST_PREFIX = "wharf-walls";

/**
 * A destination a team may open: an address (or CIDR, e.g. every node) and a port or a port
 * range. Ranges keep rules stable: with a host-port block per team (HostPort "a-b", which
 * Docker fills), a unit start changes no rule; only teams and bindings do.
 */
export interface Endpoint {
  address: string;
  port: number;
  /** Last port of a range starting at `port`. */
  toPort?: number;
}

export interface NodeWallSpec {
  /** This node's address (published ports listen here). */
  nodeAddress: string;
  /** Wharf's team networks present (or about to be created) on this node. */
  networks: TeamNetworkNames[];
  /** Addresses/CIDRs units never reach except through an allowed endpoint: every node, the registry, Wharf's hosts, metadata. */
  internal: string[];
  /** Sources that may open connections to published ports: routers and every cluster node. */
  ingressFrom: string[];
  /** Bridges without Wharf's egress walls whose published ports get the ingress wall (docker0: built-in services). */
  ingressOnly: string[];
  /** Per team: the endpoints its units may open (its own units' published ports, its bound services). */
  teamEndpoints: Record<string, Endpoint[]>;
  /** Endpoints every unit and build may open (the routers' public ports). */
  open: Endpoint[];
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/(\d{1,2}))?$/;
const IFACE = /^[a-zA-Z0-9_.-]{1,15}$/;

function cidr(v: string): string {
  const m = CIDR.exec(v);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || (m[6] !== undefined && Number(m[6]) > 32)) {
    throw new Error(`"${v}" is not an IPv4 address or CIDR`);
  }
  return m[5] ? v : `${v}/32`;
}

function endpoint(e: Endpoint): Endpoint {
  const last = e.toPort ?? e.port;
  for (const p of [e.port, last]) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`port ${p} is out of range`);
  }
  if (last < e.port) throw new Error(`port range ${e.port}-${last} ends before it starts`);
  return {
    address: cidr(e.address).replace(/\/32$/, ""),
    port: e.port,
    ...(last > e.port ? { toPort: last } : {}),
  };
}

const ports = (e: Endpoint) => (e.toPort ? `${e.port}:${e.toPort}` : `${e.port}`);

function iface(v: string): string {
  if (!IFACE.test(v)) throw new Error(`"${v}" is not an interface name`);
  return v;
}

// Every bridge Wharf creates starts with one of these (names.ts).
const BRIDGE_WILDCARDS = ["wb-+", "wt-+"];

function toInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

/** Whether address-or-CIDR `net` contains the address `ip`. */
function covers(net: string, ip: string): boolean {
  const [base, bits] = net.split("/");
  const size = 2 ** (32 - Number(bits ?? 32));
  return Math.floor(toInt(base!) / size) === Math.floor(toInt(ip) / size);
}

const uniq = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
const epKey = (e: Endpoint) => `${e.address}:${ports(e)}`;
const byKey = (a: Endpoint, b: Endpoint) => (epKey(a) < epKey(b) ? -1 : epKey(a) > epKey(b) ? 1 : 0);

export interface NodeRuleset {
  digest: string;
  /** Rule lines (iptables-save syntax, without table and chain headers) of each chain. */
  forward: string[];
  input: string[];
}

/**
 * Deterministic: the same spec gives the same lines and digest, whatever the input order.
 * Options are written in iptables-save's own order, so the reader can compare rule by rule.
 */
export function nodeRuleset(spec: NodeWallSpec): NodeRuleset {
  const networks = uniq(spec.networks, (n) => n.bridge).sort((a, b) => (a.bridge < b.bridge ? -1 : 1));
  networks.forEach((n) => iface(n.bridge));
  const internal = [...new Set(spec.internal.map(cidr))].sort();
  const ingressFrom = [...new Set(spec.ingressFrom.map(cidr))].sort();
  const ingressOnly = [...new Set(spec.ingressOnly.map(iface))].sort();
  const open = uniq(spec.open.map(endpoint), epKey).sort(byKey);
  const node = cidr(spec.nodeAddress).replace(/\/32$/, "");
  const ctDst = (e: Endpoint) => `-p tcp -m conntrack --ctorigdst ${e.address} --ctorigdstport ${ports(e)}`;

  const fwd: string[] = [`-A ${FORWARD_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`];
  const inp: string[] = [`-A ${INPUT_CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`];
  for (const n of networks) {
    const b = n.bridge;
    // Builds open nothing but the public endpoints: no units, no services, no other builds.
    const own = n.kind === "unit" ? (spec.teamEndpoints[n.team] ?? []).map(endpoint) : [];
    const allowed = uniq([...own, ...open], epKey).sort(byKey);
    fwd.push(`-A ${FORWARD_CHAIN} -i ${b} -o ${b} -j RETURN`);
    for (const e of allowed) fwd.push(`-A ${FORWARD_CHAIN} -i ${b} ${ctDst(e)} -j ACCEPT`);
    for (const c of internal) fwd.push(`-A ${FORWARD_CHAIN} -i ${b} -m conntrack --ctorigdst ${c} -j REJECT`);
    // Other bridges of this node by direct address (Docker's isolation drops these too; this
    // holds even without it). Wildcards keep it a few rules however many teams a node has.
    for (const o of [...BRIDGE_WILDCARDS, ...ingressOnly])
      fwd.push(`-A ${FORWARD_CHAIN} -i ${b} -o ${o} -j REJECT`);
    fwd.push(`-A ${FORWARD_CHAIN} -i ${b} -j RETURN`);
    // Own published ports on this node, reached through docker-proxy from the same bridge.
    for (const e of allowed.filter((x) => covers(x.address, node))) {
      inp.push(`-A ${INPUT_CHAIN} -d ${node}/32 -i ${b} -p tcp -m tcp --dport ${ports(e)} -j RETURN`);
    }
    inp.push(`-A ${INPUT_CHAIN} -i ${b} -j REJECT`);
  }
  // Ingress: what is left for a bridge came from outside the node (or from docker0): only
  // routers and cluster nodes (whose egress is walled) may open connections into it.
  for (const b of ingressOnly) fwd.push(`-A ${FORWARD_CHAIN} -i ${b} -o ${b} -j RETURN`);
  for (const b of [...networks.map((n) => n.bridge), ...ingressOnly]) {
    for (const s of ingressFrom) fwd.push(`-A ${FORWARD_CHAIN} -s ${s} -o ${b} -j RETURN`);
    fwd.push(`-A ${FORWARD_CHAIN} -o ${b} -j DROP`);
  }
  const digest = createHash("sha256")
    .update([...fwd, "--", ...inp].join("\n"))
    .digest("hex")
    .slice(0, 16);
  // The first rule of each chain only carries the digest: the reader compares it to the model.
  const mark = (chain: string) => `-A ${chain} -m comment --comment "${DIGEST_PREFIX} ${digest}"`;
  return { digest, forward: [mark(FORWARD_CHAIN), ...fwd], input: [mark(INPUT_CHAIN), ...inp] };
}

/**
 * The iptables-restore --noflush input without its COMMIT: declaring the chains flushes them,
 * and the rules refill them, in the one transaction the applier commits (after adding the
 * jumps into them that are missing).
 */
export function restoreBody(r: NodeRuleset): string {
  return ["*filter", `:${FORWARD_CHAIN} - [0:0]`, `:${INPUT_CHAIN} - [0:0]`, ...r.forward, ...r.input].join(
    "\n",
  );
}
