// Swarm's BuildContainerConfig (§2.1): scheduling expressions come from Env entries whose
// key (before the first ":") is affinity, constraint, reschedule or whitelist, and from
// the com.docker.swarm.* labels holding JSON arrays. Env entries are removed, label values
// come first, and the merged lists are written back into the labels, so the engine keeps
// them on the container (rescheduling reads them there). Pure.
import { err, ok, type Result } from "../scheduler/index.js";

export const SWARM_LABELS = {
  id: "com.docker.swarm.id",
  constraints: "com.docker.swarm.constraints",
  affinities: "com.docker.swarm.affinities",
  reschedule: "com.docker.swarm.reschedule-policies",
  whitelists: "com.docker.swarm.whitelists",
} as const;

const ENV_KEYS = {
  constraint: "constraints",
  affinity: "affinities",
  reschedule: "reschedule",
  whitelist: "whitelists",
} as const;

type Kind = (typeof ENV_KEYS)[keyof typeof ENV_KEYS];

export interface SwarmExpressions {
  constraints: string[];
  affinities: string[];
  whitelists: string[];
  /** "off" or "on-node-failure". */
  reschedule: "off" | "on-node-failure";
}

export interface ExtractedConfig {
  env: string[];
  labels: Record<string, string>;
  exprs: SwarmExpressions;
}

function labelList(labels: Record<string, string>, key: string): Result<string[], string> {
  const raw = labels[key];
  if (raw === undefined || raw === "") return ok([]);
  try {
    const v: unknown = JSON.parse(raw);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return ok(v);
  } catch {
    // answered below
  }
  return err(`label ${key} must be a JSON array of strings, e.g. ["node==node-1"]`);
}

export function extractExpressions(
  env: readonly string[],
  labels: Readonly<Record<string, string>>,
): Result<ExtractedConfig, string> {
  const out: Record<Kind, string[]> = { constraints: [], affinities: [], reschedule: [], whitelists: [] };
  const outLabels = { ...labels };
  for (const kind of Object.values(ENV_KEYS)) {
    const l = labelList(outLabels, SWARM_LABELS[kind]);
    if (!l.ok) return l;
    out[kind].push(...l.value);
  }
  const keptEnv: string[] = [];
  for (const e of env) {
    const at = e.indexOf(":");
    const key = at < 0 ? "" : e.slice(0, at);
    if (key in ENV_KEYS) out[ENV_KEYS[key as keyof typeof ENV_KEYS]].push(e.slice(at + 1));
    else keptEnv.push(e);
  }
  if (out.reschedule.length > 1) return err("too many reschedule policies");
  const policy = out.reschedule[0] ?? "off";
  if (policy !== "off" && policy !== "on-node-failure") return err(`invalid reschedule policy: ${policy}`);
  for (const kind of Object.values(ENV_KEYS)) {
    if (out[kind].length) outLabels[SWARM_LABELS[kind]] = JSON.stringify(out[kind]);
    else delete outLabels[SWARM_LABELS[kind]];
  }
  return ok({
    env: keptEnv,
    labels: outLabels,
    exprs: {
      constraints: out.constraints,
      affinities: out.affinities,
      whitelists: out.whitelists,
      reschedule: policy,
    },
  });
}
