// /_ping, /version and /info as classic Swarm answered them (§6.1, §6.5): the manager's own
// identity, and an info whose SystemStatus lists each node of the caller's pools with its
// status, the caller's containers there, the reservations of everything on it, and labels.
import os from "node:os";
import type { NodeRecord } from "../store/types.js";
import type { Call } from "./context.js";
import { sendJson } from "./http.js";
import { nodeName } from "./scope.js";
import type { Summary } from "./node-state.js";
import { nodeUsage } from "./view.js";
import { viewReads } from "./records.js";

/** The API version the endpoint announces: what the nodes' dockerd 20.10 serve, so both CLIs settle on it. */
export const API_VERSION = "1.41";
export const SERVER_VERSION = "wharf-swarm/1.2.9";

export async function ping(c: Call): Promise<void> {
  c.res.writeHead(200, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-cache, no-store, must-revalidate",
    Pragma: "no-cache",
  });
  c.res.end(c.req.method === "HEAD" ? undefined : "OK");
}

export async function version(c: Call): Promise<void> {
  sendJson(c.res, 200, {
    Platform: { Name: "Docker Swarm - Community (Wharf cluster endpoint)" },
    Version: SERVER_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: "1.24",
    GitCommit: "wharf",
    GoVersion: `node${process.versions.node}`,
    Os: process.platform,
    Arch: process.arch === "x64" ? "amd64" : process.arch,
    KernelVersion: os.release(),
    BuildTime: "",
  });
}

/** go-units HumanSize with binary units: "%.4g %s", 0 → "0 B". */
export function humanSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))} ${units[i]}`;
}

/** Natural sort of engine names (node-2 before node-10), as Swarm orders SystemStatus (one collator: localeCompare with options builds one per call). */
export const naturalCompare: (a: string, b: string) => number = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: "base",
}).compare;

export interface NodeLine {
  node: NodeRecord;
  containers: Summary[];
  reservedCpus: number;
  totalCpus: number;
  reservedMemory: number;
  totalMemory: number;
}

const STATUS: Record<string, string> = { healthy: "Healthy", unhealthy: "Unhealthy", pending: "Pending" };

/** Swarm's SystemStatus pairs (§6.5). */
export function systemStatus(
  strategy: string,
  filters: string,
  lines: readonly NodeLine[],
): [string, string][] {
  const out: [string, string][] = [
    ["Role", "primary"],
    ["Strategy", strategy],
    ["Filters", filters],
    ["Nodes", String(lines.length)],
  ];
  for (const l of [...lines].sort((a, b) => naturalCompare(nodeName(a.node), nodeName(b.node)))) {
    const n = l.node;
    const status = STATUS[n.health.state] ?? "Pending";
    const running = l.containers.filter((c) => c.State === "running").length;
    const paused = l.containers.filter((c) => c.State === "paused").length;
    const stopped = l.containers.length - running - paused;
    const labels = Object.entries({ ...n.metadata, pool: n.pool, ...n.labels })
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(", ");
    out.push([` ${nodeName(n) || "(unknown)"}`, n.address.replace(/^https?:\/\//, "")]);
    out.push(["  └ ID", `${n.engineId}|${n.address.replace(/^https?:\/\//, "")}`]);
    out.push(["  └ Status", status]);
    out.push([
      "  └ Containers",
      status === "Healthy"
        ? `${l.containers.length} (${running} Running, ${paused} Paused, ${stopped} Stopped)`
        : String(l.containers.length),
    ]);
    out.push(["  └ Reserved CPUs", `${l.reservedCpus} / ${l.totalCpus}`]);
    out.push(["  └ Reserved Memory", `${humanSize(l.reservedMemory)} / ${humanSize(l.totalMemory)}`]);
    out.push(["  └ Labels", labels]);
    if (n.health.lastError && status !== "Healthy") out.push(["  └ Error", n.health.lastError]);
    out.push(["  └ UpdatedAt", (n.health.lastSuccess ?? n.updatedAt).toISOString().replace(/\.\d+Z$/, "Z")]);
  }
  return out;
}

const FILTERS = "health, port, containerslots, dependency, affinity, constraint, whitelist";

export async function info(c: Call): Promise<void> {
  const scope = await c.scope();
  const usage = await nodeUsage(viewReads(c.ctx.store, c.ctx.records));
  const mine = new Set(scope.containers.map((x) => x.containerId));
  const lines: NodeLine[] = scope.nodes.map((n) => {
    // A node registered between the two reads holds nothing yet.
    const u = usage.get(n.address) ?? {
      usedCpus: 0,
      usedMemory: 0,
      totalCpus: n.cpus,
      totalMemory: n.memory,
    };
    const summaries = [...(c.ctx.states.containers(n.address)?.values() ?? [])].filter((s) => mine.has(s.Id));
    return {
      node: n,
      containers: summaries,
      reservedCpus: u.usedCpus,
      totalCpus: u.totalCpus,
      reservedMemory: u.usedMemory,
      totalMemory: u.totalMemory,
    };
  });
  const all = lines.flatMap((l) => l.containers);
  const images = new Set(scope.nodes.flatMap((n) => c.ctx.states.images(n.address).map((i) => i.Id)));
  sendJson(c.res, 200, {
    ID: "wharf-cluster-endpoint",
    Containers: all.length,
    ContainersRunning: all.filter((x) => x.State === "running").length,
    ContainersPaused: all.filter((x) => x.State === "paused").length,
    ContainersStopped: all.filter((x) => x.State !== "running" && x.State !== "paused").length,
    Images: images.size,
    Driver: "",
    DriverStatus: null,
    SystemStatus: systemStatus("spread", FILTERS, lines),
    Plugins: { Volume: null, Network: null, Authorization: null, Log: null },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    OomKillDisable: true,
    Debug: false,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: "",
    CgroupDriver: "",
    NEventsListener: 0,
    KernelVersion: os.release(),
    OperatingSystem: `${os.type()} (Wharf cluster endpoint)`,
    OSType: "linux",
    Architecture: os.arch() === "x64" ? "x86_64" : os.arch(),
    IndexServerAddress: "",
    RegistryConfig: { InsecureRegistryCIDRs: [], IndexConfigs: {}, Mirrors: [] },
    NCPU: lines.reduce((s, l) => s + l.totalCpus, 0),
    MemTotal: lines.reduce((s, l) => s + l.totalMemory, 0),
    DockerRootDir: "",
    HttpProxy: process.env.HTTP_PROXY ?? "",
    HttpsProxy: process.env.HTTPS_PROXY ?? "",
    NoProxy: process.env.NO_PROXY ?? "",
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: SERVER_VERSION,
    Runtimes: {},
    DefaultRuntime: "runc",
    Swarm: {
      LocalNodeState: "inactive",
      NodeID: "",
      NodeAddr: "",
      ControlAvailable: false,
      Error: "",
      RemoteManagers: null,
    },
    LiveRestoreEnabled: false,
    Isolation: "",
    InitBinary: "",
    SecurityOptions: [],
    Warnings: null,
  });
}
