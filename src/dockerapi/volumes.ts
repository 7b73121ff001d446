// Volumes as Swarm showed them (§3.3, §6.1), inside the caller's teams: `volume create v`
// makes v on every healthy node of the caller's pools, `node-1/v` on node-1 only; the list
// names each `<node>/<name>`.
import type { VolumeInspect } from "../cluster/docker/types.js";
import type { NodeRecord } from "../store/types.js";
import type { Call, Handler } from "./context.js";
import { DockerApiError, parseFilters, readJson, sendEmpty, sendJson } from "./http.js";
import { engineCall, engineMessage } from "./proxy.js";
import { findNode, nodeName, type Scope } from "./scope.js";
import { engineObjectName, teamObjectName } from "./names.js";
import { TEAM_LABEL } from "./node-state.js";
import { pickTeam, withoutReserved } from "./networks.js";

interface TeamVolume {
  node: NodeRecord;
  team: string;
  name: string;
  vol: VolumeInspect;
}

const healthy = (scope: Scope) => scope.nodes.filter((n) => n.health.state !== "unhealthy");

async function teamVolumes(c: Call, scope: Scope): Promise<TeamVolume[]> {
  const per = await Promise.all(
    healthy(scope).map(async (node) => {
      const r = await c.ctx.engines
        .engine(node.address)
        .engine.volumes.list(TEAM_LABEL)
        .catch(() => [] as VolumeInspect[]);
      const out: TeamVolume[] = [];
      for (const vol of r) {
        const team = vol.Labels?.[TEAM_LABEL] ?? "";
        const name = scope.caller.teams.includes(team) ? teamObjectName(team, vol.Name) : undefined;
        if (name !== undefined) out.push({ node, team, name, vol });
      }
      return out;
    }),
  );
  return per.flat();
}

function matching(vols: TeamVolume[], ref: string): TeamVolume[] {
  const slash = ref.indexOf("/");
  const nodeRef = slash > 0 ? ref.slice(0, slash) : undefined;
  const name = slash > 0 ? ref.slice(slash + 1) : ref;
  return vols.filter((v) => v.name === name && (nodeRef === undefined || nodeName(v.node) === nodeRef));
}

export const list: Handler = async (c) => {
  const scope = await c.scope();
  const filters = parseFilters(c.query.get("filters"));
  const names = filters.get("name") ?? [];
  const nodes = filters.get("node") ?? [];
  const vols = (await teamVolumes(c, scope)).filter(
    (v) =>
      (!names.length || names.some((n) => v.name.includes(n))) &&
      (!nodes.length || nodes.includes(nodeName(v.node))),
  );
  sendJson(c.res, 200, {
    Volumes: vols.map((v) => ({ ...v.vol, Name: `${nodeName(v.node)}/${v.name}` })),
    Warnings: null,
  });
};

export const inspect: Handler = async (c) => {
  const ref = c.params[0] ?? "";
  const v = matching(await teamVolumes(c, await c.scope()), ref)[0];
  if (!v) throw new DockerApiError(404, `get ${ref}: no such volume`);
  sendJson(c.res, 200, { ...v.vol, Name: v.name });
};

export const create: Handler = async (c) => {
  const scope = await c.scope();
  const body = await readJson(c.req);
  const raw = typeof body["Name"] === "string" ? body["Name"] : "";
  const slash = raw.indexOf("/");
  const name = slash > 0 ? raw.slice(slash + 1) : raw;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name))
    throw new DockerApiError(
      400,
      `invalid volume name "${raw}": give a name of letters, digits, "_", "." and "-" (anonymous volumes are not supported here)`,
    );
  const driver = body["Driver"] ?? "local";
  if (driver !== "local" && driver !== "")
    throw new DockerApiError(
      400,
      `volume driver ${String(driver)} is not supported by Wharf's cluster endpoint`,
    );
  if (body["DriverOpts"] && Object.keys(body["DriverOpts"] as object).length)
    throw new DockerApiError(
      403,
      "volume driver options (which can mount host paths or devices) are refused by Wharf's cluster endpoint",
    );
  const labels = (body["Labels"] ?? {}) as Record<string, string>;
  const team = pickTeam(scope, labels);
  let nodes = healthy(scope);
  if (slash > 0) {
    const n = findNode(scope, raw.slice(0, slash));
    if (!n) throw new DockerApiError(404, `node ${raw.slice(0, slash)} not found in your pools`);
    nodes = [n];
  }
  if (!nodes.length) throw new DockerApiError(503, "No healthy node available in the cluster");
  const out = {
    Name: engineObjectName(team, name),
    Driver: "local",
    Labels: { ...withoutReserved(labels), [TEAM_LABEL]: team },
  };
  let last: Record<string, unknown> = {};
  for (const n of nodes) {
    const b = await engineCall(
      c.ctx.engines.engine(n.address),
      "POST",
      `${c.version}/volumes/create`,
      JSON.stringify(out),
    );
    if (b.status !== 201 && b.status !== 200)
      throw new DockerApiError(b.status, `${nodeName(n)}: ${engineMessage(b)}`);
    last = JSON.parse(b.body.toString("utf8")) as Record<string, unknown>;
  }
  sendJson(c.res, 201, { ...last, Name: slash > 0 ? raw : name });
};

export const remove: Handler = async (c) => {
  const ref = c.params[0] ?? "";
  const found = matching(await teamVolumes(c, await c.scope()), ref);
  if (!found.length) throw new DockerApiError(404, `get ${ref}: no such volume`);
  for (const v of found) {
    const b = await engineCall(
      c.ctx.engines.engine(v.node.address),
      "DELETE",
      `${c.version}/volumes/${encodeURIComponent(v.vol.Name)}${c.query.toString() ? `?${c.query}` : ""}`,
    );
    if (b.status !== 204 && b.status !== 404)
      throw new DockerApiError(b.status, `${nodeName(v.node)}: ${engineMessage(b)}`);
  }
  sendEmpty(c.res, 204);
};
