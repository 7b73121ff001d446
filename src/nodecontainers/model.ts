// Node containers (tsuru's model, reference tsuru-docker-era §4): a named container config
// run on every node of a pool. Entries are per pool; pool "" is the default, and a pool's
// entry is merged over it field by field. Pure: forms, merging, validity, and the Docker
// create config are decided here without I/O.
import { createHash } from "node:crypto";
import type { NodeContainerSpec } from "../store/types.js";
import { BadRequestError } from "../domain/errors.js";

/** Wharf's own agent (tsuru's big-sibling): its image may be left empty to use the built-in one. */
export const AGENT_NAME = "wharf-agent";
/** Replaced in binds with the node's Docker socket (node metadata docker-socket, else the default). */
export const SOCKET_PLACEHOLDER = "${NODE_DOCKER_SOCKET}";
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";
export const SOCKET_METADATA = "docker-socket";

export const NC_LABELS = {
  name: "wharf.nodecontainer",
  pool: "wharf.nodecontainer.pool",
  hash: "wharf.nodecontainer.hash",
  token: "wharf.nodecontainer.token",
  node: "wharf.nodecontainer.node",
} as const;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,39}$/;
const ENV = /^[A-Za-z_][A-Za-z0-9_]*=/;
const IMAGE = /^[a-z0-9][a-z0-9._:/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
/** Env names Wharf sets itself on the agent: users may not. */
const RESERVED_ENV = /^WHARF_(API_URL|AGENT_TOKEN|NODE|AGENT_INTERVAL_MS|NODECONTAINER_NAME)=/;

export function validateName(name: string): void {
  if (!NAME.test(name))
    throw new BadRequestError(
      `Invalid node container name "${name.slice(0, 50)}": use letters, digits, ".", "_" or "-", at most 40, starting with a letter or digit.`,
    );
}

/** The container's name on a node: the dot keeps it apart from unit containers (wharf-<unit>). */
export function containerNameFor(name: string): string {
  return `wharf-nc.${name}`;
}

export function emptySpec(name: string): NodeContainerSpec {
  return { Name: name, PinnedImage: "", Disabled: null, Config: {}, HostConfig: {} };
}

/** Values tsuru-client sends for every field the user did not set. */
const UNSET = new Set(["", "false", "0", "null", "{}", "[]"]);

type Fields = Record<string, string>;

function indexed(fields: Fields, prefix: string): string[] | undefined {
  const items = Object.entries(fields)
    .map(([k, v]) => ({ m: new RegExp(`^${prefix}\\.(\\d+)$`).exec(k), v }))
    .filter((x) => x.m && x.v !== "")
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
    .map((x) => x.v);
  return items.length ? items : undefined;
}

function mapped(fields: Fields, prefix: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields))
    if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return Object.keys(out).length ? out : undefined;
}

function bool(v: string | undefined, what: string): boolean | undefined {
  if (v === undefined || v === "") return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new BadRequestError(`${what} must be true or false, got "${v.slice(0, 20)}".`);
}

/**
 * tsuru-client's form: the docker Config and HostConfig structs flattened with every key
 * lowercased (config.image, config.env.0, hostconfig.binds.0, hostconfig.restartpolicy.name).
 * `config` and `hostConfig` are those fields without their prefix, keys lowercased. Fields
 * Wharf does not run are refused when set, so nothing is silently dropped.
 */
export function specFromForm(name: string, config: Fields, hostConfig: Fields): NodeContainerSpec {
  const c = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.toLowerCase(), v]));
  const h = Object.fromEntries(Object.entries(hostConfig).map(([k, v]) => [k.toLowerCase(), v]));
  const known = {
    config: [
      /^image$/,
      /^env\.\d+$/,
      /^cmd\.\d+$/,
      /^entrypoint\.\d+$/,
      /^user$/,
      /^workingdir$/,
      /^labels\./,
    ],
    host: [
      /^binds\.\d+$/,
      /^privileged$/,
      /^networkmode$/,
      /^pidmode$/,
      /^restartpolicy\.(name|maximumretrycount)$/,
      /^logconfig\.type$/,
      /^logconfig\.config\./,
      /^capadd\.\d+$/,
      /^memory$/,
    ],
  };
  for (const [k, v] of Object.entries(c))
    if (!known.config.some((r) => r.test(k)) && !UNSET.has(v))
      throw new BadRequestError(`config.${k} is not supported for node containers: leave it out.`);
  for (const [k, v] of Object.entries(h))
    if (!known.host.some((r) => r.test(k)) && !UNSET.has(v))
      throw new BadRequestError(`hostconfig.${k} is not supported for node containers: leave it out.`);
  const spec = emptySpec(name);
  const set = <T>(o: Record<string, unknown>, key: string, v: T | undefined) => {
    if (v !== undefined) o[key] = v;
  };
  set(spec.Config, "Image", c.image || undefined);
  set(spec.Config, "Env", indexed(c, "env"));
  set(spec.Config, "Cmd", indexed(c, "cmd"));
  set(spec.Config, "Entrypoint", indexed(c, "entrypoint"));
  set(spec.Config, "User", c.user || undefined);
  set(spec.Config, "WorkingDir", c.workingdir || undefined);
  set(spec.Config, "Labels", mapped(c, "labels"));
  set(spec.HostConfig, "Binds", indexed(h, "binds"));
  set(spec.HostConfig, "Privileged", bool(h.privileged, "hostconfig.privileged") || undefined);
  set(spec.HostConfig, "NetworkMode", h.networkmode || undefined);
  set(spec.HostConfig, "PidMode", h.pidmode || undefined);
  set(spec.HostConfig, "CapAdd", indexed(h, "capadd"));
  if (h["restartpolicy.name"]) {
    const retries = Number(h["restartpolicy.maximumretrycount"] || 0);
    if (!Number.isInteger(retries) || retries < 0)
      throw new BadRequestError("hostconfig.restartpolicy.maximumretrycount must be a whole number ≥ 0.");
    spec.HostConfig.RestartPolicy = {
      Name: h["restartpolicy.name"],
      ...(retries ? { MaximumRetryCount: retries } : {}),
    };
  }
  if (h["logconfig.type"])
    spec.HostConfig.LogConfig = {
      Type: h["logconfig.type"],
      ...(mapped(h, "logconfig.config") ? { Config: mapped(h, "logconfig.config") } : {}),
    };
  if (h.memory && !UNSET.has(h.memory)) {
    const m = Number(h.memory);
    if (!Number.isSafeInteger(m) || m < 6 * 2 ** 20)
      throw new BadRequestError("hostconfig.memory must be a number of bytes of at least 6 MiB (6291456).");
    spec.HostConfig.Memory = m;
  }
  validateSpec(spec);
  return spec;
}

/** Rules every stored entry obeys (a form or a merge may not produce anything else). */
export function validateSpec(spec: NodeContainerSpec): void {
  validateName(spec.Name);
  const img = spec.Config.Image;
  if (img !== undefined && !IMAGE.test(img))
    throw new BadRequestError(
      `"${img.slice(0, 100)}" is not an image reference: write it as [REGISTRY/]NAME[:TAG].`,
    );
  for (const e of spec.Config.Env ?? []) {
    if (!ENV.test(e)) throw new BadRequestError(`Environment entry "${e.slice(0, 40)}" must be NAME=value.`);
    if (RESERVED_ENV.test(e))
      throw new BadRequestError(`${e.split("=")[0]} is set by Wharf on its agent: leave it out.`);
  }
  for (const b of spec.HostConfig.Binds ?? []) {
    const parts = b.split(":");
    if (
      parts.length < 2 ||
      parts.length > 3 ||
      !parts[1]!.startsWith("/") ||
      !(parts[0]!.startsWith("/") || parts[0] === SOCKET_PLACEHOLDER)
    )
      throw new BadRequestError(`Bind "${b.slice(0, 80)}" must be /host/path:/container/path[:ro].`);
    if (parts[2] !== undefined && !["ro", "rw"].includes(parts[2]))
      throw new BadRequestError(`Bind "${b.slice(0, 80)}": the mode must be ro or rw.`);
  }
  const rp = spec.HostConfig.RestartPolicy?.Name;
  if (rp !== undefined && !["no", "always", "unless-stopped", "on-failure"].includes(rp))
    throw new BadRequestError(`Restart policy "${rp}" must be no, always, unless-stopped or on-failure.`);
  const nm = spec.HostConfig.NetworkMode;
  if (nm !== undefined && !/^(bridge|host|none)$/.test(nm))
    throw new BadRequestError(`Network mode "${nm}" must be bridge, host or none.`);
  const pm = spec.HostConfig.PidMode;
  if (pm !== undefined && pm !== "host")
    throw new BadRequestError(`PID mode "${pm}" must be host or left out.`);
  for (const c of spec.HostConfig.CapAdd ?? [])
    if (!/^[A-Z_]{2,32}$/.test(c))
      throw new BadRequestError(`Capability "${c.slice(0, 40)}" must look like NET_ADMIN.`);
}

/** `over`'s set fields replace `base`'s (tsuru merges with override); Disabled inherits when null. */
export function mergeSpec(base: NodeContainerSpec, over: NodeContainerSpec): NodeContainerSpec {
  const pick = <T extends object>(a: T, b: T): T => {
    const out = { ...a } as Record<string, unknown>;
    for (const [k, v] of Object.entries(b)) if (v !== undefined) out[k] = v;
    return out as T;
  };
  return {
    Name: base.Name,
    PinnedImage: over.PinnedImage || base.PinnedImage,
    Disabled: over.Disabled ?? base.Disabled,
    Config: pick(base.Config, over.Config),
    HostConfig: pick(base.HostConfig, over.HostConfig),
  };
}

/**
 * The entry a pool's nodes run: the pool's entry over the default. A pool entry that sets
 * an image pins it on itself; otherwise the default's pin applies.
 */
export function effectiveSpec(
  entries: ReadonlyMap<string, NodeContainerSpec>,
  pool: string,
): NodeContainerSpec | null {
  const base = entries.get("");
  const own = entries.get(pool);
  if (!base && !own) return null;
  if (!base) return own!;
  if (!own) return base;
  const merged = mergeSpec(base, own);
  if (own.Config.Image) merged.PinnedImage = own.PinnedImage;
  return merged;
}

/** tsuru: an entry runs when it has an image and is not disabled (Wharf's agent needs no image). */
export function runs(spec: NodeContainerSpec): boolean {
  return spec.Disabled !== true && (Boolean(spec.Config.Image) || spec.Name === AGENT_NAME);
}

export interface NodeFacts {
  address: string;
  pool: string;
  metadata: Record<string, string>;
}

/** Docker's create body for the node container (a plain object; the adapter sends it). */
export interface CreateBody {
  name: string;
  Image: string;
  Env: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  User?: string;
  WorkingDir?: string;
  Labels: Record<string, string>;
  HostConfig: NodeContainerSpec["HostConfig"] & {
    RestartPolicy: { Name: string; MaximumRetryCount?: number };
  };
}

/**
 * The container to run on a node: the spec with its image resolved, the node's socket put
 * into binds, Wharf's env for the agent, and labels that say what it is and which config
 * made it (the hash leaves out the token, so a new token alone recreates nothing).
 */
export function createBody(
  spec: NodeContainerSpec,
  node: NodeFacts,
  image: string,
  agentEnv: Record<string, string>,
  tokenFingerprint: string,
): CreateBody {
  const socket = node.metadata[SOCKET_METADATA] || DEFAULT_DOCKER_SOCKET;
  const binds = (spec.HostConfig.Binds ?? []).map((b) => b.split(SOCKET_PLACEHOLDER).join(socket));
  const env = [...(spec.Config.Env ?? []), ...Object.entries(agentEnv).map(([k, v]) => `${k}=${v}`)];
  const hashed = {
    image,
    env: [...(spec.Config.Env ?? []), ...Object.entries(agentEnv).filter(([k]) => k !== "WHARF_AGENT_TOKEN")],
    cmd: spec.Config.Cmd,
    entrypoint: spec.Config.Entrypoint,
    user: spec.Config.User,
    wd: spec.Config.WorkingDir,
    labels: spec.Config.Labels,
    host: { ...spec.HostConfig, Binds: binds },
  };
  const hash = createHash("sha256").update(JSON.stringify(hashed)).digest("hex").slice(0, 16);
  return {
    name: containerNameFor(spec.Name),
    Image: image,
    Env: env,
    ...(spec.Config.Cmd ? { Cmd: spec.Config.Cmd } : {}),
    ...(spec.Config.Entrypoint ? { Entrypoint: spec.Config.Entrypoint } : {}),
    ...(spec.Config.User ? { User: spec.Config.User } : {}),
    ...(spec.Config.WorkingDir ? { WorkingDir: spec.Config.WorkingDir } : {}),
    Labels: {
      ...spec.Config.Labels,
      [NC_LABELS.name]: spec.Name,
      [NC_LABELS.pool]: node.pool,
      [NC_LABELS.node]: node.address,
      [NC_LABELS.hash]: hash,
      ...(tokenFingerprint ? { [NC_LABELS.token]: tokenFingerprint } : {}),
    },
    HostConfig: {
      ...spec.HostConfig,
      Binds: binds,
      RestartPolicy: spec.HostConfig.RestartPolicy ?? { Name: "always" },
      LogConfig: spec.HostConfig.LogConfig ?? {
        Type: "json-file",
        Config: { "max-size": "10m", "max-file": "2" },
      },
    },
  };
}

/**
 * The default entry for Wharf's agent: built-in image, the node's Docker socket, the host's
 * /proc and cgroup files read-only (the agent reads unit counters there, src/agent/cgroups.ts),
 * always restarted. The host's cgroup namespace: on cgroup v2 Docker gives containers a
 * private one by default, in which /proc/<pid>/cgroup of other containers reads "/../.." and
 * the agent could not name their files (on v1 it is the default anyway).
 */
export function defaultAgentSpec(): NodeContainerSpec {
  return {
    Name: AGENT_NAME,
    PinnedImage: "",
    Disabled: null,
    Config: {},
    HostConfig: {
      Binds: [
        `${SOCKET_PLACEHOLDER}:/var/run/docker.sock`,
        "/proc:/host/proc:ro",
        "/sys/fs/cgroup:/host/sys/fs/cgroup:ro",
      ],
      CgroupnsMode: "host",
      RestartPolicy: { Name: "always" },
    },
  };
}
