// POST /containers/create, scheduled as classic Swarm did (§2, §4, §6.2) and walled in as a
// shared cluster must be: expressions from env and labels, references (--volumes-from,
// --link, --net container:, team networks) resolved inside the caller's teams only, the
// pool's policy, the team's quota, then the pure scheduler on a view where everything on
// the nodes counts. The record goes to the store (with its reservations) before the engine
// create, under a lock, so the next decision sees it and a crash leaves it for the sweep.
import type { Call, EndpointCtx, Handler } from "./context.js";
import { DockerApiError, readJson, sendJson } from "./http.js";
import { extractExpressions, SWARM_LABELS } from "./expressions.js";
import { policyViolations } from "./policy.js";
import { findContainer, type Scope } from "./scope.js";
import { conflict } from "./containers.js";
import { findTeamNetwork, isBuiltinNetwork, pickTeam, withoutReserved } from "./networks.js";
import { CONTAINER_NAME, engineContainerName, engineObjectName, newSwarmId, randomName } from "./names.js";
import { TEAM_LABEL } from "./node-state.js";
import { engineCall, engineMessage, sendBuffered } from "./proxy.js";
import { checkImage } from "./images.js";
import { endpointView } from "./view.js";
import { viewReads } from "./records.js";
import { Scheduler, type PortBinding, type UnitRequest } from "../scheduler/index.js";
import type { DockerContainerRecord, DockerPoolPolicy, NodeRecord } from "../store/types.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Old top-level Memory, MemorySwap, CpuShares and Cpuset go into HostConfig (Swarm does the same). */
function mergeLegacy(body: Obj): Obj {
  const hc: Obj = isObj(body["HostConfig"]) ? { ...body["HostConfig"] } : {};
  for (const k of ["Memory", "MemorySwap", "CpuShares"])
    if (typeof body[k] === "number" && body[k] !== 0 && !hc[k]) hc[k] = body[k];
  if (typeof body["Cpuset"] === "string" && body["Cpuset"] && !hc["CpusetCpus"])
    hc["CpusetCpus"] = body["Cpuset"];
  const out: Obj = { ...body, HostConfig: hc };
  for (const k of ["Memory", "MemorySwap", "CpuShares", "Cpuset"]) delete out[k];
  return out;
}

function portBindings(hc: Obj): PortBinding[] {
  const out: PortBinding[] = [];
  const pb = isObj(hc["PortBindings"]) ? hc["PortBindings"] : {};
  for (const list of Object.values(pb))
    if (Array.isArray(list))
      for (const b of list)
        if (isObj(b)) out.push({ hostPort: String(b["HostPort"] ?? ""), hostIp: String(b["HostIp"] ?? "") });
  return out;
}

/** Everything a create needs resolved before the scheduler runs. */
interface Prepared {
  body: Obj;
  name: string;
  team: string;
  swarmId: string;
  request: UnitRequest;
  reschedule: boolean;
  /** The node a team network pins the container to. */
  pinnedNode?: string;
  /** Named volumes (engine names) to make with the team's label on the chosen node. */
  volumes: string[];
  memory: number;
  cpus: number;
}

async function prepare(c: Call, scope: Scope, raw: Obj): Promise<Prepared> {
  const body = mergeLegacy(raw);
  const hc = body["HostConfig"] as Obj;
  const qname = (c.query.get("name") ?? "").replace(/^\//, "");
  if (qname && !CONTAINER_NAME.test(qname))
    throw new DockerApiError(
      400,
      `Invalid container name (${qname}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
    );
  const image = typeof body["Image"] === "string" ? body["Image"] : "";
  if (!image) throw new DockerApiError(400, "No image was specified: give the image to run");
  if (/^[a-f0-9]{64}$/.test(image))
    throw new DockerApiError(
      400,
      "invalid reference format: repository name must not be a 64-byte hexadecimal string (cannot specify 64-byte hexadecimal strings)",
    );
  await checkImage(c, scope, image);
  const labelsIn = isObj(body["Labels"]) ? (body["Labels"] as Record<string, string>) : {};
  const team = pickTeam(scope, labelsIn);
  const ex = extractExpressions(strings(body["Env"]), withoutReserved(labelsIn));
  if (!ex.ok) throw new DockerApiError(400, ex.error);
  const { exprs } = ex.value;
  const name = qname || randomName();
  if (scope.containers.some((x) => x.team === team && x.name === name)) throw conflict(name);
  const swarmId = newSwarmId();
  const labels = { ...ex.value.labels, [SWARM_LABELS.id]: swarmId, [TEAM_LABEL]: team };
  const own = (ref: string): DockerContainerRecord => {
    const r = findContainer(scope, ref);
    if (!r || r.team !== team) throw new DockerApiError(404, `No such container: ${ref}`);
    return r;
  };
  const constraints = [...exprs.constraints];
  // Dependencies: resolved in the team only, rewritten to what the engine knows.
  const volumesFrom = strings(hc["VolumesFrom"]).map((v) => {
    const [ref, mode] = v.split(":") as [string, string | undefined];
    return { record: own(ref), mode };
  });
  const links = strings(hc["Links"]).map((l) => {
    const at = l.indexOf(":");
    const ref = at < 0 ? l : l.slice(0, at);
    const alias = at < 0 ? ref.replace(/^\//, "") : l.slice(at + 1).replace(/^.*\//, "");
    return { record: own(ref), alias };
  });
  let netContainer: DockerContainerRecord | undefined;
  let pinnedNode: string | undefined;
  const mode = typeof hc["NetworkMode"] === "string" ? hc["NetworkMode"] : "";
  const newHc: Obj = { ...hc };
  if (mode.startsWith("container:")) {
    netContainer = own(mode.slice("container:".length));
    newHc["NetworkMode"] = `container:${netContainer.containerId}`;
  }
  // Team networks: NetworkMode and every endpoint name, all on one node.
  const nc = isObj(body["NetworkingConfig"]) ? body["NetworkingConfig"] : {};
  const endpoints = isObj(nc["EndpointsConfig"]) ? nc["EndpointsConfig"] : {};
  const netRefs = new Set(Object.keys(endpoints).filter((k) => !isBuiltinNetwork(k)));
  if (mode && !mode.startsWith("container:") && !isBuiltinNetwork(mode)) netRefs.add(mode);
  const renamed = new Map<string, string>();
  for (const ref of netRefs) {
    const n = await findTeamNetwork(c, scope, ref);
    if (!n || n.team !== team) throw new DockerApiError(404, `network ${ref} not found`);
    if (pinnedNode && pinnedNode !== n.node.address)
      throw new DockerApiError(
        400,
        `networks ${[...netRefs].join(", ")} are on different nodes: a container joins networks of one node`,
      );
    pinnedNode = n.node.address;
    renamed.set(ref, n.net.Name);
  }
  if (renamed.has(mode)) newHc["NetworkMode"] = renamed.get(mode);
  const newEndpoints: Obj = {};
  for (const [k, v] of Object.entries(endpoints)) newEndpoints[renamed.get(k) ?? k] = v;
  if (pinnedNode) constraints.push(`node==${pinnedNode}`);
  // Named volumes get the team's engine names; host paths are the policy's business.
  const volumes: string[] = [];
  newHc["Binds"] = strings(hc["Binds"]).map((b) => {
    if (b.startsWith("/")) return b;
    const [src, ...rest] = b.split(":");
    const eng = engineObjectName(team, src!);
    volumes.push(eng);
    return [eng, ...rest].join(":");
  });
  if (Array.isArray(hc["Mounts"]))
    newHc["Mounts"] = (hc["Mounts"] as unknown[]).map((m) => {
      if (!isObj(m) || m["Type"] !== "volume" || typeof m["Source"] !== "string" || !m["Source"]) return m;
      const eng = engineObjectName(team, m["Source"]);
      volumes.push(eng);
      return { ...m, Source: eng };
    });
  if (volumesFrom.length)
    newHc["VolumesFrom"] = volumesFrom.map((v) => `${v.record.engineName}${v.mode ? `:${v.mode}` : ""}`);
  if (links.length) newHc["Links"] = links.map((l) => `${l.record.engineName}:${l.alias}`);
  const memory = typeof hc["Memory"] === "number" && hc["Memory"] > 0 ? hc["Memory"] : 0;
  const shares = typeof hc["CpuShares"] === "number" && hc["CpuShares"] > 0 ? hc["CpuShares"] : 0;
  const nano = typeof hc["NanoCpus"] === "number" && hc["NanoCpus"] > 0 ? hc["NanoCpus"] / 1e9 : 0;
  const cpus = shares + nano;
  const hostNetwork = hc["NetworkMode"] === "host";
  const exposed = isObj(body["ExposedPorts"]) ? Object.keys(body["ExposedPorts"]) : [];
  const out: Obj = {
    ...body,
    Env: ex.value.env,
    Labels: labels,
    HostConfig: newHc,
    ...(Object.keys(endpoints).length ? { NetworkingConfig: { ...nc, EndpointsConfig: newEndpoints } } : {}),
  };
  return {
    body: out,
    name,
    team,
    swarmId,
    reschedule: exprs.reschedule === "on-node-failure",
    ...(pinnedNode ? { pinnedNode } : {}),
    volumes,
    memory,
    cpus,
    request: {
      id: swarmId,
      name,
      image,
      labels,
      cpus: cpus || undefined,
      memory: memory || undefined,
      constraints,
      affinities: exprs.affinities,
      whitelists: exprs.whitelists,
      portBindings: portBindings(hc),
      hostNetwork,
      exposedPorts: exposed,
      volumesFrom: volumesFrom.map((v) => v.record.name),
      links: links.map((l) => l.record.name),
      ...(netContainer ? { netContainer: netContainer.name } : {}),
    },
  };
}

/** Pools of the scope whose policy admits the body; the refusals of the others. */
async function admittingPools(
  c: Call,
  scope: Scope,
  body: Obj,
): Promise<{ pools: string[]; refusals: string[]; policies: Map<string, DockerPoolPolicy> }> {
  const pools: string[] = [];
  const refusals: string[] = [];
  const policies = new Map<string, DockerPoolPolicy>();
  for (const p of scope.pools) {
    const policy = await c.ctx.store.getDockerPoolPolicy(p);
    policies.set(p, policy);
    const v = policyViolations(body, policy);
    if (v.length) refusals.push(...v);
    else pools.push(p);
  }
  return { pools, refusals, policies };
}

/** Swarm's scheduler lock: one placement (view, decision, record) at a time per server. */
export function serialised<T>(ctx: EndpointCtx, fn: () => Promise<T>): Promise<T> {
  const run = ctx.createLock.tail.then(fn, fn);
  ctx.createLock.tail = run.catch(() => undefined);
  return run;
}

/** The CpuShares the engine gets for `cpus` reserved CPUs: ceil(n × 1024 / engine CPUs), as Swarm converts. */
export function engineShares(cpus: number, nodeCpus: number): number {
  return Math.ceil((cpus * 1024) / Math.max(1, nodeCpus));
}

export function schedulingStatus(kind: string): number {
  return kind === "invalid-request" || kind === "filters" ? 400 : 503;
}

/** Places and records the container (phase creating); returns its record and node. */
async function place(
  c: Call,
  scope: Scope,
  p: Prepared,
): Promise<{ record: DockerContainerRecord; node: NodeRecord }> {
  const { pools, refusals, policies } = await admittingPools(c, scope, p.body);
  if (!pools.length)
    throw new DockerApiError(
      403,
      refusals.length
        ? `${refusals.join("; ")}. Nothing was created.`
        : "your teams may use no pool: ask an admin to add your team to a pool",
    );
  return serialised(c.ctx, async () => {
    const state = await endpointView(viewReads(c.ctx.store, c.ctx.records), {
      teams: scope.caller.teams,
      images: (a) => c.ctx.states.images(a),
    });
    const request: UnitRequest =
      pools.length === 1
        ? { ...p.request, pool: pools[0]! }
        : { ...p.request, constraints: [...(p.request.constraints ?? []), `pool==/^(${pools.join("|")})$/`] };
    const r = new Scheduler(state, { ha: false, strategy: "spread" }).place(request);
    if (!r.ok) {
      const msg =
        r.error.kind === "invalid-request"
          ? `${r.error.message}: write expressions as key==value, key!=value or key==~value`
          : r.error.message;
      throw new DockerApiError(schedulingStatus(r.error.kind), msg);
    }
    const node = scope.nodes.find((n) => n.address === r.value.nodeId)!;
    const policy = policies.get(node.pool)!;
    return c.ctx.store.tx(async (t) => {
      if (policy.containersPerTeam >= 0) {
        const held = (await t.listDockerContainers({ teams: [p.team], pool: node.pool })).length;
        if (held >= policy.containersPerTeam)
          throw new DockerApiError(
            403,
            `team ${p.team} has ${held} containers on pool ${node.pool}, its limit: remove some, or ask an admin to raise it (wharf docker policy set ${node.pool} --containers-per-team N)`,
          );
      }
      try {
        const record = await t.createDockerContainer({
          swarmId: p.swarmId,
          team: p.team,
          owner: scope.caller.email,
          pool: node.pool,
          node: node.address,
          containerId: "",
          name: p.name,
          engineName: engineContainerName(p.swarmId),
          image: String(p.body["Image"]),
          memory: p.memory,
          cpus: p.cpus,
          ports: (p.request.portBindings ?? []).map((b) => ({
            hostPort: b.hostPort,
            hostIp: b.hostIp ?? "",
          })),
          hostNetwork: p.request.hostNetwork ?? false,
          exposedPorts: [...(p.request.exposedPorts ?? [])],
          reschedule: p.reschedule,
          config: JSON.stringify(p.body),
          phase: "creating",
        });
        return { record, node };
      } catch (e) {
        if ((e as Error).name === "ConflictError") throw conflict(p.name);
        throw e;
      }
    });
  });
}

/** The body an engine gets: CPU reservations turned into that engine's shares. */
export function engineBody(body: Obj, node: NodeRecord): Obj {
  const hc = { ...(body["HostConfig"] as Obj) };
  if (typeof hc["CpuShares"] === "number" && hc["CpuShares"] > 0)
    hc["CpuShares"] = engineShares(hc["CpuShares"], node.cpus);
  return { ...body, HostConfig: hc };
}

/**
 * Creates a recorded container on its node: the team's named volumes first, then the
 * container with its engine name. Returns the engine's answer; on success the record holds
 * the engine id.
 */
export async function createOnNode(
  ctx: EndpointCtx,
  record: DockerContainerRecord,
  node: NodeRecord,
  version: string,
  volumes: readonly string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown>; id?: string }> {
  const engine = ctx.engines.engine(node.address);
  for (const v of volumes) {
    const b = await engineCall(
      engine,
      "POST",
      `${version}/volumes/create`,
      JSON.stringify({ Name: v, Labels: { [TEAM_LABEL]: record.team } }),
    );
    if (b.status >= 300) return b;
  }
  const body = engineBody(JSON.parse(record.config) as Obj, node);
  const b = await engineCall(
    engine,
    "POST",
    `${version}/containers/create?name=${encodeURIComponent(record.engineName)}`,
    JSON.stringify(body),
    headers,
  );
  if (b.status !== 201) return b;
  const id = String((JSON.parse(b.body.toString("utf8")) as { Id?: string }).Id ?? "");
  await ctx.store.updateDockerContainer(record.swarmId, { containerId: id, phase: "created" });
  await ctx.states.refreshContainer(node.address, id);
  return { ...b, id };
}

export const create: Handler = async (c) => {
  const scope = await c.scope();
  const p = await prepare(c, scope, await readJson(c.req));
  const { record, node } = await place(c, scope, p);
  const auth = c.req.headers["x-registry-auth"];
  let b;
  try {
    b = await createOnNode(
      c.ctx,
      record,
      node,
      c.version,
      p.volumes,
      typeof auth === "string" ? { "x-registry-auth": auth } : {},
    );
  } catch (e) {
    await c.ctx.store.deleteDockerContainer(record.swarmId);
    throw e;
  }
  if (!b.id) {
    await c.ctx.store.deleteDockerContainer(record.swarmId);
    if (b.status === 404) throw new DockerApiError(404, engineMessage(b as never));
    return sendBuffered(c.res, b as never);
  }
  sendJson(c.res, 201, { Id: b.id, Warnings: [] });
};
