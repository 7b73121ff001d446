// What a unit is, and how it becomes a Docker container config. Pure: no I/O, so every rule
// here (env, labels, limits, isolation) is tested without an engine.
import type { ContainerCreateOptions, HostConfig } from "../../cluster/docker/types.js";
import { BadRequestError } from "../../domain/errors.js";

export interface UnitLimits {
  /** Memory limit in bytes; 0 means no limit. */
  memory: number;
  /** Swap allowed on top of memory, in bytes (Docker's MemorySwap is memory + swap). */
  swap: number;
  /** CPU in thousandths of a core (100 = 0.1 CPU); 0 means no limit. */
  cpuMilli: number;
  /** Maximum number of processes in the container; defaults to DEFAULT_PIDS_LIMIT. */
  pids?: number;
}

export interface UnitSpec {
  /** Unit id, e.g. `<app>-<process>-<random>`; the container is named `wharf-<id>`. */
  id: string;
  app: string;
  process: string;
  version: number;
  /** `<registry>/<app>:vN` */
  image: string;
  /** The engine's id of the version's image: a node's cached copy of `image` must be it. */
  imageId?: string;
  /**
   * A string is a Procfile command, run via `/bin/sh -c`. An array is run as given (exec
   * form, for image deploys whose entrypoint+cmd is the web process). Undefined runs the
   * platform's default start, /var/lib/wharf/start.
   */
  command: string | string[] | undefined;
  env: Record<string, string>;
  /** The container port the process listens on, also exported as PORT. */
  port: number;
  /** The node's IP, where the port is published on a random host port. */
  nodeAddress: string;
  limits: UnitLimits;
  extraLabels?: Record<string, string>;
}

export const LABELS = {
  managed: "wharf.managed",
  app: "wharf.app",
  process: "wharf.process",
  version: "wharf.version",
  unit: "wharf.unit",
  /** One-off `app run --once` containers: not units, so the orphan sweep never counts them. */
  oneoff: "wharf.oneoff",
} as const;

export const DEFAULT_START = "/var/lib/wharf/start";
export const DEFAULT_PIDS_LIMIT = 4096;
export const CONTAINER_PREFIX = "wharf-";

// Docker's own container-name rule, minus the prefix we add.
const UNIT_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,120}$/;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// registry[:port]/repo[:tag] with no shell or whitespace characters.
const IMAGE = /^[a-z0-9][a-z0-9._:/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export function containerName(unitId: string): string {
  return `${CONTAINER_PREFIX}${unitId}`;
}

function nonNegativeInt(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new BadRequestError(`${what} must be a whole number ≥ 0, got ${v}`);
}

/** Rejects a spec Docker would refuse or that would break isolation, with a sentence saying why. */
export function validateUnitSpec(spec: UnitSpec): void {
  if (!UNIT_ID.test(spec.id)) {
    throw new BadRequestError(`unit id "${spec.id}" must be letters, digits, ".", "_" or "-" (at most 121)`);
  }
  if (!NAME.test(spec.app)) throw new BadRequestError(`app name "${spec.app}" is not a valid app name`);
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(spec.process)) {
    throw new BadRequestError(`process name "${spec.process}" must be letters, digits, "_" or "-"`);
  }
  if (!Number.isSafeInteger(spec.version) || spec.version < 1) {
    throw new BadRequestError(`version must be a whole number ≥ 1, got ${spec.version}`);
  }
  if (!IMAGE.test(spec.image)) throw new BadRequestError(`"${spec.image}" is not an image reference`);
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    throw new BadRequestError(`port must be from 1 to 65535, got ${spec.port}`);
  }
  if (!IPV4.test(spec.nodeAddress)) {
    throw new BadRequestError(`node address "${spec.nodeAddress}" must be an IPv4 address`);
  }
  validateCommand(spec.command);
  validateEnv(spec.env);
  const { memory, swap, cpuMilli, pids } = spec.limits;
  nonNegativeInt(memory, "memory limit");
  nonNegativeInt(swap, "swap limit");
  nonNegativeInt(cpuMilli, "CPU limit");
  if (pids !== undefined) nonNegativeInt(pids, "process limit");
  if (memory === 0 && swap > 0) throw new BadRequestError("a swap limit needs a memory limit as well");
  if (memory > 0 && memory < 6 * 1024 * 1024) {
    throw new BadRequestError(`memory limit ${memory} bytes is below Docker's minimum of 6 MiB`);
  }
  for (const [k, v] of Object.entries(spec.extraLabels ?? {})) {
    if (k.startsWith("wharf.")) throw new BadRequestError(`label "${k}" is reserved for Wharf`);
    if (!k || /[\0=]/.test(k) || v.includes("\0"))
      throw new BadRequestError(`label "${k}" is not a valid label`);
  }
}

export function validateCommand(command: string | string[] | undefined): void {
  if (command === undefined) return;
  const parts = typeof command === "string" ? [command] : command;
  if (parts.length === 0 || parts[0]!.trim() === "") throw new BadRequestError("the command is empty");
  if (parts.some((p) => p.includes("\0"))) throw new BadRequestError("the command contains a NUL character");
}

export function validateEnv(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) {
      throw new BadRequestError(
        `environment variable name "${k}" must be letters, digits and "_", not starting with a digit`,
      );
    }
    if (typeof v !== "string" || v.includes("\0")) {
      throw new BadRequestError(`environment variable ${k} must be a string without NUL characters`);
    }
  }
}

/**
 * The unit's environment, as `NAME=value`: app (and service) env sorted by name, then the
 * variables Wharf owns, which win over app env of the same name (tsuru's order).
 */
export function unitEnv(
  spec: Pick<UnitSpec, "id" | "app" | "process" | "version" | "env" | "port">,
): string[] {
  const merged = new Map<string, string>();
  for (const k of Object.keys(spec.env).sort()) merged.set(k, spec.env[k]!);
  const own: Record<string, string> = {
    WHARF_APPNAME: spec.app,
    TSURU_APPNAME: spec.app,
    WHARF_PROCESSNAME: spec.process,
    TSURU_PROCESSNAME: spec.process,
    WHARF_APPVERSION: String(spec.version),
    TSURU_APPVERSION: String(spec.version),
    WHARF_UNIT: spec.id,
    port: String(spec.port),
    PORT: String(spec.port),
  };
  for (const [k, v] of Object.entries(own)) {
    merged.delete(k);
    merged.set(k, v);
  }
  return [...merged].map(([k, v]) => `${k}=${v}`);
}

export function unitLabels(spec: UnitSpec): Record<string, string> {
  return {
    ...spec.extraLabels,
    [LABELS.managed]: "true",
    [LABELS.app]: spec.app,
    [LABELS.process]: spec.process,
    [LABELS.version]: String(spec.version),
    [LABELS.unit]: spec.id,
  };
}

/** Entrypoint and Cmd; setting Entrypoint makes Docker ignore the image's CMD. */
export function unitCommand(command: string | string[] | undefined): { Entrypoint: string[]; Cmd: string[] } {
  if (command === undefined) return { Entrypoint: [DEFAULT_START], Cmd: [] };
  if (typeof command === "string") return { Entrypoint: ["/bin/sh", "-c"], Cmd: [command] };
  return { Entrypoint: [command[0]!], Cmd: command.slice(1) };
}

/**
 * Limits and isolation shared by units and one-off containers: no privileges, no host
 * mounts, no Docker restarts (Wharf heals), bounded logs so a chatty app cannot fill a node.
 */
export function isolatedHostConfig(limits: UnitLimits): HostConfig {
  const hc: HostConfig = {
    Privileged: false,
    Binds: [],
    Mounts: [],
    CapDrop: ["NET_RAW", "MKNOD", "AUDIT_WRITE"],
    SecurityOpt: ["no-new-privileges:true"],
    RestartPolicy: { Name: "no" },
    // An init as PID 1 forwards SIGTERM to the command and reaps zombies: a shell as PID 1
    // would ignore SIGTERM and every stop would wait for the kill.
    Init: true,
    PidsLimit: limits.pids ?? DEFAULT_PIDS_LIMIT,
    LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
  };
  if (limits.memory > 0) {
    hc.Memory = limits.memory;
    hc.MemorySwap = limits.memory + limits.swap;
  }
  if (limits.cpuMilli > 0) hc.NanoCpus = limits.cpuMilli * 1_000_000;
  return hc;
}

/** The full create config for a unit container. */
export function unitContainerConfig(spec: UnitSpec): ContainerCreateOptions {
  const portKey = `${spec.port}/tcp`;
  return {
    name: containerName(spec.id),
    Image: spec.image,
    // A hostname of the unit id lets an app report which unit answered.
    ...(spec.id.length <= 63 && /^[a-zA-Z0-9-]+$/.test(spec.id) ? { Hostname: spec.id } : {}),
    ...unitCommand(spec.command),
    Env: unitEnv(spec),
    Labels: unitLabels(spec),
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      ...isolatedHostConfig(spec.limits),
      // HostPort "" asks Docker for a random free port, read back after start.
      PortBindings: { [portKey]: [{ HostIp: spec.nodeAddress, HostPort: "" }] },
    },
  };
}
