// Reads a container's counters straight from the kernel, the files Docker's own stats are
// made of: CPU time and memory from its cgroup (v1: cpuacct.usage, memory.usage_in_bytes and
// memory.stat; v2: cpu.stat, memory.current, memory.stat) and network bytes from
// /proc/<pid>/net/dev of its init process (its network namespace). The agent sees the host's
// files through read-only binds (/sys/fs/cgroup and /proc under /host), as cAdvisor does.
// Synchronous reads: a few small pseudo-files per container, microseconds each.
import { existsSync, readFileSync } from "node:fs";

export interface Counters {
  /** CPU time used so far, ns. */
  cpuNs: number;
  /** Memory in use without the reclaimable page cache (docker stats' figure). */
  memoryBytes: number;
  rxBytes: number;
  txBytes: number;
}

/** Where one container's counters are. */
export interface CgroupFiles {
  kind: "v1" | "v2";
  cpu: string;
  memory: string;
  memoryStat: string;
  netDev: string;
}

export class CgroupReader {
  constructor(
    /** Where the host's / is seen ("/host" in the agent container, "" on the host itself). */
    readonly root: string,
  ) {}

  /** Whether the host's cgroup and proc files are mounted at all. */
  available(): boolean {
    return existsSync(`${this.root}/proc/1/cgroup`) && existsSync(`${this.root}/sys/fs/cgroup`);
  }

  /** The files of the container whose init process is `pid`, or null when they cannot be found. */
  locate(pid: number): CgroupFiles | null {
    if (!Number.isInteger(pid) || pid <= 0) return null;
    let text: string;
    try {
      text = readFileSync(`${this.root}/proc/${pid}/cgroup`, "utf8");
    } catch {
      return null;
    }
    const cg = `${this.root}/sys/fs/cgroup`;
    const netDev = `${this.root}/proc/${pid}/net/dev`;
    const v1: Record<string, string> = {};
    let v2 = "";
    for (const line of text.split("\n")) {
      const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
      if (path === undefined) continue;
      // A path outside our cgroup namespace ("/.."): the files cannot be named from here.
      if (path.startsWith("/..")) return null;
      if (controllers === "") v2 = path;
      else for (const c of controllers!.split(",")) v1[c] = path;
    }
    if (v1.memory !== undefined && v1.cpuacct !== undefined) {
      // The cpuacct hierarchy is mounted as cpuacct, cpu,cpuacct or cpuacct,cpu.
      const dir = ["cpuacct", "cpu,cpuacct", "cpuacct,cpu"]
        .map((m) => `${cg}/${m}${v1.cpuacct}`)
        .find((d) => existsSync(`${d}/cpuacct.usage`));
      const mem = `${cg}/memory${v1.memory}`;
      if (!dir || !existsSync(`${mem}/memory.usage_in_bytes`)) return null;
      return {
        kind: "v1",
        cpu: `${dir}/cpuacct.usage`,
        memory: `${mem}/memory.usage_in_bytes`,
        memoryStat: `${mem}/memory.stat`,
        netDev,
      };
    }
    const dir = `${cg}${v2}`;
    if (!v2 || !existsSync(`${dir}/cpu.stat`) || !existsSync(`${dir}/memory.current`)) return null;
    return {
      kind: "v2",
      cpu: `${dir}/cpu.stat`,
      memory: `${dir}/memory.current`,
      memoryStat: `${dir}/memory.stat`,
      netDev,
    };
  }

  /** The counters now, or null once the container is gone. */
  read(f: CgroupFiles): Counters | null {
    try {
      const cpuNs =
        f.kind === "v1"
          ? Number(readFileSync(f.cpu, "utf8"))
          : statValue(readFileSync(f.cpu, "utf8"), "usage_usec") * 1000;
      const usage = Number(readFileSync(f.memory, "utf8"));
      const inactive = statValue(
        readFileSync(f.memoryStat, "utf8"),
        f.kind === "v1" ? "total_inactive_file" : "inactive_file",
      );
      const net = netBytes(readFileSync(f.netDev, "utf8"));
      return {
        cpuNs,
        memoryBytes: inactive < usage ? usage - inactive : usage,
        rxBytes: net.rx,
        txBytes: net.tx,
      };
    } catch {
      return null;
    }
  }
}

/** A `key value` line's value in a cgroup stat file (0 when absent). */
export function statValue(text: string, key: string): number {
  const prefix = `${key} `;
  let at = 0;
  if (!text.startsWith(prefix)) {
    const i = text.indexOf(`\n${prefix}`);
    if (i < 0) return 0;
    at = i + 1;
  }
  const end = text.indexOf("\n", at);
  return Number(text.slice(at + prefix.length, end < 0 ? undefined : end)) || 0;
}

/** Bytes received and sent on every interface but loopback, from /proc/<pid>/net/dev. */
export function netBytes(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    if (line.slice(0, colon).trim() === "lo") continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    rx += Number(f[0]) || 0;
    tx += Number(f[8]) || 0;
  }
  return { rx, tx };
}
