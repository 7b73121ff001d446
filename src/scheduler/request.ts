// A UnitRequest compiled once per decision: expressions parsed (memoised), ports and
// dependencies normalised. Malformed input becomes an "invalid-request" error value.
import { parseExprs, type Expr } from "./expression.js";
import { err, ok, type Result, type SchedulingError, type UnitRequest } from "./types.js";

export interface CompiledRequest {
  readonly req: UnitRequest;
  readonly constraints: readonly Expr[];
  readonly affinities: readonly Expr[];
  readonly whitelists: readonly Expr[];
  /** Bridge-mode bindings with a HostPort (empty HostPorts never clash). */
  readonly bridgePorts: readonly { hostPort: string; hostIp: string }[];
  /** Host-network exposed ports ("80/tcp"); empty unless hostNetwork. */
  readonly hostPorts: readonly string[];
  readonly volumesFrom: readonly string[];
  readonly links: readonly string[];
  readonly netContainer: string | undefined;
  readonly hasSoft: boolean;
  readonly cpus: number;
  readonly memory: number;
}

const beforeColon = (s: string): string => {
  const at = s.indexOf(":");
  return at < 0 ? s : s.slice(0, at);
};

function invalid(kind: string, source: string, why: string): SchedulingError {
  return { kind: "invalid-request", message: `invalid ${kind} expression "${source}": ${why}` };
}

export function compileRequest(req: UnitRequest): Result<CompiledRequest, SchedulingError> {
  const lists = { constraint: req.constraints, affinity: req.affinities, whitelist: req.whitelists };
  const parsed: Record<string, Expr[]> = {};
  for (const [kind, list] of Object.entries(lists)) {
    const r = parseExprs(list);
    if (!r.ok) {
      const bad = (list ?? []).find((s) => !parseExprs([s]).ok) ?? "";
      return err(invalid(kind, bad, r.error));
    }
    parsed[kind] = r.value;
  }
  const cpus = req.cpus ?? 0;
  const memory = req.memory ?? 0;
  if (!(cpus >= 0) || !(memory >= 0) || !Number.isFinite(cpus) || !Number.isFinite(memory))
    return err({
      kind: "invalid-request",
      message: "CPU and memory reservations must be non-negative numbers",
    });
  const constraints = parsed["constraint"]!;
  const affinities = parsed["affinity"]!;
  const whitelists = parsed["whitelist"]!;
  const hasSoft = [...constraints, ...affinities, ...whitelists].some((e) => e.soft);
  return ok({
    req,
    constraints,
    affinities,
    whitelists,
    bridgePorts: req.hostNetwork
      ? []
      : (req.portBindings ?? [])
          .filter((p) => p.hostPort !== "")
          .map((p) => ({ hostPort: p.hostPort, hostIp: p.hostIp ?? "" })),
    hostPorts: req.hostNetwork ? (req.exposedPorts ?? []) : [],
    volumesFrom: (req.volumesFrom ?? []).map(beforeColon),
    links: (req.links ?? []).map(beforeColon),
    netContainer: req.netContainer,
    hasSoft,
    cpus,
    memory,
  });
}
