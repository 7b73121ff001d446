// Containers of the caller's teams: the list (from the node state cache, named
// `<node>/<name>` as Swarm showed them), inspect (a fresh one, with Swarm's Node object),
// and every per-container call, proxied to the container's node by engine id.
import type { DockerContainerRecord, NodeRecord } from "../store/types.js";
import type { Call, Handler } from "./context.js";
import {
  checkFilters,
  DockerApiError,
  notFound,
  parseFilters,
  readBody,
  sendEmpty,
  sendJson,
  truthy,
} from "./http.js";
import { engineCall, engineMessage, proxyStream, sendBuffered } from "./proxy.js";
import { findContainer, nodeByAddress, nodeName, type Scope } from "./scope.js";
import type { Summary } from "./node-state.js";
import { reagedStatus } from "./status.js";
import { dropDestroyed } from "./sweep.js";

export interface Located {
  record: DockerContainerRecord;
  node: NodeRecord;
}

/** The caller's container named by the route's first parameter, on a healthy node. */
export async function locate(c: Omit<Call, "res">, opts: { allowDown?: boolean } = {}): Promise<Located> {
  const ref = c.params[0] ?? "";
  const scope = await c.scope();
  const record = findContainer(scope, ref);
  if (!record) throw notFound(ref);
  const node = nodeByAddress(scope, record.node);
  if (!node) throw notFound(ref);
  if (node.health.state === "unhealthy" && !opts.allowDown)
    throw new DockerApiError(500, `Container ${ref} running on unhealthy node ${nodeName(node)}`);
  return { record, node };
}

const enginePath = (c: Call, id: string, rest: string): string => {
  const q = c.query.toString();
  return `${c.version}/containers/${id}${rest}${q ? `?${q}` : ""}`;
};

/** Proxies a streaming or body-carrying call (logs, stats, archive, attach without upgrade, ...). */
export function streamed(rest: string): Handler {
  return async (c) => {
    const { record, node } = await locate(c);
    await proxyStream(
      c.ctx.engines.engine(node.address),
      c.req,
      c.res,
      enginePath(c, record.containerId, rest),
    );
  };
}

/**
 * wait, proxied; `wait?condition=removed` (how `docker run --rm` waits) releases the record of
 * the container the engine removed before the CLI hears the end, so the next `run --rm --name`
 * of the same name is never refused.
 */
export const wait: Handler = async (c) => {
  const { record, node } = await locate(c);
  const removed = c.query.get("condition") === "removed";
  await proxyStream(
    c.ctx.engines.engine(node.address),
    c.req,
    c.res,
    enginePath(c, record.containerId, "/wait"),
    removed
      ? async () => {
          await c.ctx.states.refreshContainer(node.address, record.containerId);
          const listed = c.ctx.states.containers(node.address);
          if (listed && !listed.has(record.containerId))
            await dropDestroyed(c.ctx.store, node.address, record.containerId, record.swarmId);
        }
      : undefined,
  );
};

/** Proxies a lifecycle call, then refreshes the container's state before answering (Swarm: proxy + refresh). */
export function lifecycle(rest: string): Handler {
  return async (c) => {
    const { record, node } = await locate(c);
    const body = await readBody(c.req);
    const b = await engineCall(
      c.ctx.engines.engine(node.address),
      c.req.method ?? "POST",
      enginePath(c, record.containerId, rest),
      body.length ? body : undefined,
    );
    await c.ctx.states.refreshContainer(node.address, record.containerId);
    sendBuffered(c.res, b);
  };
}

function portsWithNodeIp(s: Summary, ip: string): Summary["Ports"] {
  return (s.Ports ?? []).map((p) => (p.IP === "0.0.0.0" ? { ...p, IP: ip } : p));
}

/** A summary for a container the cache has not seen (its node is down or not listed yet). */
function fallbackSummary(r: DockerContainerRecord, down: boolean): Summary {
  return {
    Id: r.containerId,
    Names: [`/${r.name}`],
    Image: r.image,
    ImageID: "",
    Command: "",
    Created: Math.floor(r.createdAt.getTime() / 1000),
    Ports: [],
    Labels: {},
    State: down ? "unknown" : "created",
    Status: down ? "Host Down" : "Unknown",
    HostConfig: { NetworkMode: "default" },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  } as unknown as Summary;
}

const LIST_FILTERS = [
  "id",
  "name",
  "label",
  "status",
  "exited",
  "node",
  "ancestor",
  "is-task",
  "health",
  "network",
  "volume",
];

function matchesLabels(labels: Record<string, string>, wanted: readonly string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf("=");
    return eq < 0 ? labels[w] !== undefined : labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

export function listRows(scope: Scope, c: Call): Summary[] {
  const filters = parseFilters(c.query.get("filters"));
  checkFilters(filters, LIST_FILTERS);
  const all = truthy(c.query.get("all")) || c.query.has("before") || c.query.has("limit");
  const rows: { s: Summary; record: DockerContainerRecord; node: NodeRecord; down: boolean }[] = [];
  for (const r of scope.containers) {
    if (!r.containerId) continue;
    const node = nodeByAddress(scope, r.node);
    if (!node) continue;
    const down = node.health.state === "unhealthy";
    const cached = c.ctx.states.containers(node.address);
    let s = cached?.get(r.containerId);
    // Listed and absent: the container is gone from a live node (the sweep drops its record).
    if (!s && cached && !down) continue;
    s ??= fallbackSummary(r, down);
    const { readAt, ...summary } = s;
    const out: Summary = {
      ...summary,
      Status: readAt ? reagedStatus(s.Status, readAt, Date.now()) : s.Status,
      Names: [`/${nodeName(node)}/${r.name}`],
      Ports: portsWithNodeIp(s, node.address.replace(/^https?:\/\//, "").replace(/:\d+$/, "")),
      ...(down ? { Status: "Host Down" } : {}),
    };
    rows.push({ s: out, record: r, node, down });
  }
  const f = (k: string) => filters.get(k) ?? [];
  const kept = rows.filter(({ s, record, node, down }) => {
    if (!all && (down || s.State !== "running")) return false;
    if (f("id").length && !f("id").some((id) => s.Id.startsWith(id))) return false;
    if (f("name").length && !f("name").some((n) => record.name.includes(n.replace(/^\//, "")))) return false;
    if (f("label").length && !matchesLabels(s.Labels ?? {}, f("label"))) return false;
    if (f("status").length && !f("status").includes(s.State)) return false;
    if (f("exited").length) {
      const code = /^Exited \((-?\d+)\)/.exec(s.Status)?.[1];
      if (code === undefined || !f("exited").includes(code)) return false;
    }
    if (
      f("node").length &&
      !f("node").some((n) => n === nodeName(node) || n === node.engineId || n === node.address)
    )
      return false;
    if (
      f("ancestor").length &&
      !f("ancestor").some((a) => s.Image === a || s.Image.startsWith(`${a}:`) || s.ImageID.includes(a))
    )
      return false;
    if (f("is-task").includes("true")) return false;
    if (
      f("network").length &&
      !f("network").some((n) => Object.keys(s.NetworkSettings?.Networks ?? {}).some((k) => k.endsWith(n)))
    )
      return false;
    if (
      f("volume").length &&
      !f("volume").some((v) => (s.Mounts ?? []).some((m) => m.Name?.endsWith(v) || m.Destination === v))
    )
      return false;
    if (
      f("health").length &&
      !f("health").some(
        (h) =>
          s.Status.includes(`(${h})`) ||
          (h === "none" && !/\((healthy|unhealthy|health: starting)\)/.test(s.Status)),
      )
    )
      return false;
    return true;
  });
  kept.sort((a, b) => b.s.Created - a.s.Created);
  let out = kept.map((k) => k.s);
  const before = c.query.get("before");
  if (before) {
    const at = out.findIndex((s) => s.Id.startsWith(before) || s.Names[0]?.endsWith(`/${before}`));
    out = at < 0 ? [] : out.slice(at + 1);
  }
  const limit = Number(c.query.get("limit") ?? "-1");
  if (Number.isInteger(limit) && limit > 0) out = out.slice(0, limit);
  return out;
}

/** How long a ps waits for a node the endpoint has just started watching to be listed. */
const FIRST_LISTING_WAIT_MS = 5000;

export const list: Handler = async (c) => {
  const scope = await c.scope();
  // A node added moments ago may not be watched yet (the endpoint syncs its nodes every 10 s):
  // its running containers would show as "Unknown" and drop out of a plain ps.
  const live = scope.nodes.filter((n) => n.health.state !== "unhealthy").map((n) => n.address);
  await c.ctx.states.ready(live, FIRST_LISTING_WAIT_MS);
  sendJson(c.res, 200, listRows(scope, c));
};

export const inspect: Handler = async (c) => {
  const { record, node } = await locate(c);
  const b = await engineCall(
    c.ctx.engines.engine(node.address),
    "GET",
    `${c.version}/containers/${record.containerId}/json${c.query.toString() ? `?${c.query}` : ""}`,
  );
  if (b.status !== 200) {
    if (b.status === 404) throw notFound(c.params[0] ?? "");
    throw new DockerApiError(b.status, engineMessage(b));
  }
  const info = JSON.parse(b.body.toString("utf8")) as Record<string, unknown>;
  info["Name"] = `/${record.name}`;
  const ip = node.address.replace(/^https?:\/\//, "").replace(/:\d+$/, "");
  info["Node"] = {
    ID: `${node.engineId}|${node.address}`,
    IP: ip,
    Addr: node.address.replace(/^https?:\/\//, ""),
    Name: nodeName(node),
    Cpus: node.cpus,
    Memory: node.memory,
    Labels: { ...node.metadata, pool: node.pool, ...node.labels },
  };
  sendJson(c.res, 200, info);
};

export const rename: Handler = async (c) => {
  const { record } = await locate(c, { allowDown: true });
  const name = (c.query.get("name") ?? "").replace(/^\//, "");
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name))
    throw new DockerApiError(
      400,
      `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
    );
  const scope = await c.scope();
  if (scope.containers.some((x) => x.name === name && x.team === record.team)) throw conflict(name);
  try {
    await c.ctx.store.updateDockerContainer(record.swarmId, { name });
  } catch (e) {
    if ((e as Error).name === "ConflictError") throw conflict(name);
    throw e;
  }
  sendEmpty(c.res, 204);
};

export function conflict(name: string): DockerApiError {
  return new DockerApiError(
    409,
    `Conflict: The name ${name} is already assigned. You have to delete (or rename) that container to be able to assign ${name} to a container again.`,
  );
}

export const remove: Handler = async (c) => {
  const { record, node } = await locate(c, { allowDown: true });
  const force = truthy(c.query.get("force"));
  if (node.health.state === "unhealthy") {
    if (!force)
      throw new DockerApiError(
        500,
        `Container ${c.params[0]} running on unhealthy node ${nodeName(node)}: use --force to forget it (it is removed when the node returns)`,
      );
    await c.ctx.store.deleteDockerContainer(record.swarmId);
    return sendEmpty(c.res, 204);
  }
  const b = await engineCall(
    c.ctx.engines.engine(node.address),
    "DELETE",
    `${c.version}/containers/${record.containerId}${c.query.toString() ? `?${c.query}` : ""}`,
  );
  if (b.status === 204 || b.status === 404) {
    await c.ctx.store.deleteDockerContainer(record.swarmId);
    c.ctx.states.forget(node.address, record.containerId);
    return sendEmpty(c.res, 204);
  }
  sendBuffered(c.res, b);
};
