// Networks as Swarm showed them (§6.1, §3.3), inside the caller's teams: each team network
// lives on one node (there is no multi-host network here) and is listed as
// `<node>/<name>`, next to each node's bridge and none. `network create node-1/x` puts it on
// node-1; without a node the scheduler picks one, and containers joining it are placed there.
import { createHash } from "node:crypto";
import type { NetworkInspect } from "../cluster/docker/types.js";
import type { NodeRecord } from "../store/types.js";
import type { Call, Handler } from "./context.js";
import { DockerApiError, parseFilters, readJson, sendEmpty, sendJson } from "./http.js";
import { engineCall, sendBuffered } from "./proxy.js";
import { findNode, nodeName, type Scope } from "./scope.js";
import { engineObjectName, teamObjectName } from "./names.js";
import { TEAM_LABEL } from "./node-state.js";
import { locate } from "./containers.js";
import { Scheduler } from "../scheduler/index.js";
import { endpointView } from "./view.js";

export interface TeamNetwork {
  node: NodeRecord;
  team: string;
  /** The team's name for it. */
  name: string;
  net: NetworkInspect;
}

const healthy = (scope: Scope) => scope.nodes.filter((n) => n.health.state !== "unhealthy");

/** Every network of the caller's teams, on the healthy nodes of the scope. */
export async function teamNetworks(c: Call, scope: Scope): Promise<TeamNetwork[]> {
  const per = await Promise.all(
    healthy(scope).map(async (node) => {
      const list = await c.ctx.engines
        .engine(node.address)
        .engine.networks.describe(TEAM_LABEL)
        .catch(() => [] as NetworkInspect[]);
      const out: TeamNetwork[] = [];
      for (const net of list) {
        const team = net.Labels?.[TEAM_LABEL] ?? "";
        const name = scope.caller.teams.includes(team) ? teamObjectName(team, net.Name) : undefined;
        if (name !== undefined) out.push({ node, team, name, net });
      }
      return out;
    }),
  );
  return per.flat();
}

const BUILTIN = new Set(["bridge", "none", "default", "host"]);

/** A team network by name, `<node>/<name>`, or id (prefix); undefined when none matches. */
export async function findTeamNetwork(c: Call, scope: Scope, ref: string): Promise<TeamNetwork | undefined> {
  const nets = await teamNetworks(c, scope);
  const slash = ref.indexOf("/");
  const nodeRef = slash > 0 ? ref.slice(0, slash) : undefined;
  const name = slash > 0 ? ref.slice(slash + 1) : ref;
  const byName = nets.filter(
    (n) => n.name === name && (nodeRef === undefined || nodeName(n.node) === nodeRef),
  );
  if (byName.length === 1) return byName[0];
  if (byName.length > 1)
    throw new DockerApiError(400, `network ${ref} is ambiguous: name it as <node>/${name}`);
  const byId = nets.filter((n) => ref.length >= 3 && n.net.Id.startsWith(ref));
  return byId.length === 1 ? byId[0] : undefined;
}

export const isBuiltinNetwork = (mode: string): boolean => BUILTIN.has(mode);

function present(n: TeamNetwork): NetworkInspect {
  return { ...n.net, Name: n.name };
}

export const list: Handler = async (c) => {
  const scope = await c.scope();
  const filters = parseFilters(c.query.get("filters"));
  const out: unknown[] = [];
  for (const n of await teamNetworks(c, scope))
    out.push({ ...present(n), Name: `${nodeName(n.node)}/${n.name}` });
  for (const node of healthy(scope))
    for (const b of ["bridge", "none"])
      out.push({
        Name: `${nodeName(node)}/${b}`,
        Id: createHash("sha256").update(`${node.engineId}/${b}`).digest("hex"),
        Driver: b === "bridge" ? "bridge" : "null",
        Scope: "local",
        Labels: {},
        Containers: {},
        Options: {},
        IPAM: { Driver: "default", Config: [] },
      });
  const names = filters.get("name") ?? [];
  const drivers = filters.get("driver") ?? [];
  sendJson(
    c.res,
    200,
    out.filter((n) => {
      const x = n as { Name: string; Driver: string };
      return (
        (!names.length || names.some((w) => x.Name.includes(w))) &&
        (!drivers.length || drivers.includes(x.Driver))
      );
    }),
  );
};

async function mustFind(c: Call): Promise<TeamNetwork> {
  const ref = c.params[0] ?? "";
  const n = await findTeamNetwork(c, await c.scope(), ref);
  if (!n) throw new DockerApiError(404, `network ${ref} not found`);
  return n;
}

export const inspect: Handler = async (c) => {
  sendJson(c.res, 200, present(await mustFind(c)));
};

export const remove: Handler = async (c) => {
  const n = await mustFind(c);
  sendBuffered(
    c.res,
    await engineCall(c.ctx.engines.engine(n.node.address), "DELETE", `${c.version}/networks/${n.net.Id}`),
  );
};

export const create: Handler = async (c) => {
  const scope = await c.scope();
  const body = await readJson(c.req);
  const raw = typeof body["Name"] === "string" ? body["Name"] : "";
  const slash = raw.indexOf("/");
  const name = slash > 0 ? raw.slice(slash + 1) : raw;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name))
    throw new DockerApiError(400, `invalid network name "${raw}": use letters, digits, "_", "." and "-"`);
  const driver = body["Driver"] ?? "bridge";
  if (driver !== "bridge" && driver !== "" && driver !== null)
    throw new DockerApiError(
      400,
      `network driver ${String(driver)} is not supported by Wharf's cluster endpoint: networks are bridge networks on one node`,
    );
  const refused = networkBodyRefusals(body);
  if (refused.length) throw new DockerApiError(403, `${refused.join("; ")}. Nothing was created.`);
  const labels = (body["Labels"] ?? {}) as Record<string, string>;
  const team = pickTeam(scope, labels);
  if ((await teamNetworks(c, scope)).some((n) => n.team === team && n.name === name))
    throw new DockerApiError(409, `network with name ${name} already exists`);
  let node: NodeRecord | undefined;
  if (slash > 0) {
    node = findNode(scope, raw.slice(0, slash));
    if (!node) throw new DockerApiError(404, `node ${raw.slice(0, slash)} not found in your pools`);
  } else {
    const state = await endpointView(c.ctx.store, {
      teams: scope.caller.teams,
      images: (a) => c.ctx.states.images(a),
    });
    const pools = scope.pools.join("|");
    const r = new Scheduler(state, { ha: false }).place({
      constraints: pools ? [`pool==/^(${pools})$/`] : ["pool==/^$/"],
    });
    if (!r.ok) throw new DockerApiError(503, r.error.message);
    node = scope.nodes.find((n) => n.address === r.value.nodeId);
    if (!node) throw new DockerApiError(503, "no node of your pools can take the network");
  }
  const out = {
    ...body,
    Name: engineObjectName(team, name),
    Driver: "bridge",
    CheckDuplicate: true,
    Labels: { ...withoutReserved(labels), [TEAM_LABEL]: team },
  };
  sendBuffered(
    c.res,
    await engineCall(
      c.ctx.engines.engine(node.address),
      "POST",
      `${c.version}/networks/create`,
      JSON.stringify(out),
    ),
  );
};

/**
 * What a tenant may not ask of a node's bridge: driver options (a bridge name of another
 * network's, ICC or masquerading switched off on a bridge it shares), its own addresses
 * (a subnet over the node's own network cuts the node off for every team), another IPAM
 * driver, or a config-only/config-from/ingress network. Compose sends none of these. Pure.
 */
export function networkBodyRefusals(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  const opts = body["Options"];
  if (opts && typeof opts === "object" && Object.keys(opts).length)
    out.push(
      `network driver options (${Object.keys(opts).join(", ")}) are refused by Wharf's cluster endpoint: leave them out`,
    );
  const ipam = body["IPAM"] as { Driver?: unknown; Config?: unknown; Options?: unknown } | null | undefined;
  if (ipam && typeof ipam === "object") {
    if (ipam.Driver !== undefined && ipam.Driver !== null && ipam.Driver !== "" && ipam.Driver !== "default")
      out.push(
        `IPAM driver ${String(ipam.Driver)} is refused by Wharf's cluster endpoint: use the default one`,
      );
    const config = Array.isArray(ipam.Config) ? ipam.Config : [];
    const options = ipam.Options && typeof ipam.Options === "object" ? Object.keys(ipam.Options) : [];
    if (config.length || options.length)
      out.push(
        "subnets, ranges and gateways of your own (--subnet, --ip-range, --gateway, --aux-address) are refused by Wharf's cluster endpoint: the node picks free ones",
      );
  }
  for (const k of ["ConfigOnly", "Ingress"] as const)
    if (body[k] === true) out.push(`${k} networks are not supported by Wharf's cluster endpoint`);
  if (body["ConfigFrom"] && typeof body["ConfigFrom"] === "object" && Object.keys(body["ConfigFrom"]).length)
    out.push("ConfigFrom networks are not supported by Wharf's cluster endpoint");
  return out;
}

/** connect/disconnect: the network must be on the container's node. */
export function membership(action: "connect" | "disconnect"): Handler {
  return async (c) => {
    const n = await mustFind(c);
    const body = await readJson(c.req);
    const ref = String(body["Container"] ?? "");
    const { record, node } = await locate({ ...c, params: [ref] });
    if (node.address !== n.node.address)
      throw new DockerApiError(
        400,
        `network ${n.name} is on ${nodeName(n.node)}, container ${ref} on ${nodeName(node)}: a network reaches only its own node`,
      );
    const out = { ...body, Container: record.containerId };
    const b = await engineCall(
      c.ctx.engines.engine(node.address),
      "POST",
      `${c.version}/networks/${n.net.Id}/${action}`,
      JSON.stringify(out),
    );
    await c.ctx.states.refreshContainer(node.address, record.containerId);
    if (b.status === 200) return sendEmpty(c.res, 200);
    sendBuffered(c.res, b);
  };
}

/** The team a new object belongs to: label wharf.team picks one of the caller's teams, else the first. */
export function pickTeam(scope: Scope, labels: Record<string, string>): string {
  const wanted = labels["wharf.team"];
  if (wanted !== undefined) {
    if (!scope.caller.teams.includes(wanted))
      throw new DockerApiError(
        403,
        `label wharf.team=${wanted}: you create containers only for your teams (${scope.caller.teams.join(", ") || "none"})`,
      );
    return wanted;
  }
  const t = scope.caller.teams[0];
  if (!t)
    throw new DockerApiError(
      403,
      "you are in no team that may create apps, so you cannot create containers: ask an admin to add you to a team",
    );
  return t;
}

/** Labels under wharf.* are Wharf's own: wharf.team is consumed, any other is refused. */
export function withoutReserved(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (k === "wharf.team") continue;
    if (k.startsWith("wharf.") || k === "com.docker.swarm.id")
      throw new DockerApiError(400, `label ${k} is reserved for Wharf: choose another label name`);
    out[k] = String(v);
  }
  return out;
}
