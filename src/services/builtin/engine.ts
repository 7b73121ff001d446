// A built-in service instance on its node's Docker engine: its named volume, its container
// (a fixed host port on the node's address, the plan's memory, restarted by Docker when it
// dies), and commands run inside it. Every call is idempotent: a provision or removal that
// crashed half-way is simply run again.
import type { Engine } from "../../cluster/docker/engine.js";
import { execExitCode } from "../../cluster/docker/exec.js";
import { Demuxer } from "../../cluster/docker/frames.js";
import { engineStatus, isNotFound, type ContainerCreateOptions } from "../../cluster/docker/types.js";
import type { AdminCommand } from "./admin-commands.js";
import { BUILTIN_SERVICES, SERVICE_LABELS, type BuiltinKind } from "./catalog.js";

export interface InstanceSpec {
  kind: BuiltinKind;
  service: string;
  instance: string;
  uuid: string;
  team: string;
  /** Container and volume name. */
  name: string;
  image: string;
  env: string[];
  memory: number;
  hostIp: string;
  hostPort: number;
}

export const DATA_DIRS: Record<BuiltinKind, string> = {
  postgresql: "/var/lib/wharf/pg",
  redis: "/var/lib/wharf/redis",
};

export function labels(s: Pick<InstanceSpec, "service" | "instance" | "uuid" | "team">) {
  return {
    [SERVICE_LABELS.service]: s.service,
    [SERVICE_LABELS.instance]: s.instance,
    [SERVICE_LABELS.uuid]: s.uuid,
    [SERVICE_LABELS.team]: s.team,
  };
}

export async function ensureVolume(engine: Engine, s: InstanceSpec): Promise<void> {
  await engine.volumes.create(s.name, labels(s));
}

export async function removeVolume(engine: Engine, name: string): Promise<void> {
  await engine.volumes.remove(name);
}

export function containerConfig(s: InstanceSpec): ContainerCreateOptions {
  const portKey = `${BUILTIN_SERVICES[s.kind].port}/tcp`;
  return {
    name: s.name,
    Image: s.image,
    Env: s.env,
    Labels: labels(s),
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      Binds: [`${s.name}:${DATA_DIRS[s.kind]}`],
      PortBindings: { [portKey]: [{ HostIp: s.hostIp, HostPort: String(s.hostPort) }] },
      Memory: s.memory,
      MemorySwap: s.memory,
      // Docker brings a crashed server back at once, on the same volume and port.
      RestartPolicy: { Name: "unless-stopped" },
      Init: true,
      Privileged: false,
      CapDrop: ["NET_RAW", "MKNOD", "AUDIT_WRITE"],
      SecurityOpt: ["no-new-privileges:true"],
      PidsLimit: 1024,
      ShmSize: 128 * 2 ** 20,
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    },
  };
}

export interface ContainerState {
  id: string;
  running: boolean;
  restarting: boolean;
  exitCode: number;
  image: string;
}

export async function inspectContainer(engine: Engine, name: string): Promise<ContainerState | null> {
  try {
    const i = await engine.containers.inspect(name);
    return {
      id: i.Id,
      running: i.State.Running,
      restarting: i.State.Restarting,
      exitCode: i.State.ExitCode,
      image: i.Config.Image,
    };
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/** A port clash at start: another process (or container) holds the host port. */
export function isPortClash(e: unknown): boolean {
  const m = String((e as { message?: string })?.message ?? "");
  return /port is already allocated|address already in use|bind: /i.test(m);
}

/**
 * The container exists and runs: created when missing, started when stopped. A container
 * of another image (an older one) is replaced; the volume keeps the data.
 */
export async function ensureContainer(engine: Engine, s: InstanceSpec): Promise<string> {
  let cur = await inspectContainer(engine, s.name);
  if (cur && cur.image !== s.image) {
    await removeContainer(engine, s.name);
    cur = null;
  }
  if (!cur) {
    try {
      await engine.containers.create(containerConfig(s));
    } catch (e) {
      // Created by a concurrent call since the inspect: use that one.
      if (engineStatus(e) !== 409) throw e;
    }
    cur = await inspectContainer(engine, s.name);
    if (!cur) throw new Error(`container ${s.name} vanished right after it was created`);
  }
  if (!cur.running && !cur.restarting) {
    try {
      await engine.containers.start(cur.id);
    } catch (e) {
      // 304: already started.
      if (engineStatus(e) !== 304) throw e;
    }
  }
  return cur.id;
}

export async function removeContainer(engine: Engine, name: string): Promise<void> {
  await engine.containers.remove(name, { force: true }).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
  });
}

export async function updateMemory(engine: Engine, name: string, memory: number): Promise<void> {
  await engine.containers.update(name, { memory });
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs an argv command inside the container; collects its output (bounded) and exit code. */
export async function execIn(engine: Engine, container: string, c: AdminCommand): Promise<ExecResult> {
  const id = await engine.exec.create(container, {
    cmd: c.cmd,
    ...(c.env ? { env: c.env } : {}),
    ...(c.user ? { user: c.user } : {}),
  });
  const stream = await engine.exec.start(id, {});
  const demux = new Demuxer();
  const out = { stdout: "", stderr: "" };
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => {
      for (const f of demux.push(chunk))
        if (out[f.stream].length < 64 * 1024) out[f.stream] += f.data.toString("utf8");
    });
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", reject);
  });
  return { code: await execExitCode(engine.exec, id), ...out };
}

/** Did the command do what it should? An exit code of 0 and the expected answer, if any. */
export function succeeded(c: AdminCommand, r: ExecResult): boolean {
  return r.code === 0 && (!c.expect || c.expect.test(r.stdout.trim()));
}

/** Instance containers on the node (any state), by their service labels. */
export async function listInstanceContainers(
  engine: Engine,
): Promise<Array<{ id: string; name: string; uuid: string }>> {
  const cs = await engine.containers.list({ all: true, labels: [SERVICE_LABELS.uuid] });
  return cs.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? "").replace(/^\//, ""),
    uuid: c.Labels[SERVICE_LABELS.uuid] ?? "",
  }));
}
