// Samples every unit container of the node once per 10 s step and turns two readings of its
// counters into the step's figures (CPU %, memory, network bytes/s).
//
// Why not Docker's stats endpoint: the Engine API has no node-wide stats call, only
// GET /containers/{id}/stats, one per container: streamed (stream=true), dockerd pushes a
// sample of every container every second on its own connection (50 units = 50 connections
// and 50 JSON documents a second to parse, and dockerd asks containerd for each); polled
// (stream=false&one-shot=true, API 1.41), it is a request and a containerd round trip per
// container per step. Both grow with the units. Docker computes those samples from the
// kernel's cgroup and procfs files, so the agent reads the same files itself: one pass over
// the node per step, a handful of small reads per container, no dockerd work at all beyond
// the one listing per report the agent makes anyway and an inspect when it first sees a
// container (for its init pid). bench/agent measures both, side by side.
//
// Where the files are not visible (an agent whose node container config predates the binds,
// a cgroup namespace that hides the paths) a container falls back to one-shot stats, read
// one container after another on the agent's single socket.
import type { CgroupFiles, CgroupReader, Counters } from "./cgroups.js";
import type { AgentUnitSample } from "./protocol.js";

const STEP_S = 10;

export interface SampledContainer {
  id: string;
  unit: string;
  state: string;
}

/** The Docker calls the sampler needs (src/agent/docker.ts). */
export interface SamplerDocker {
  /** The container's init pid (0 when not running). */
  pid(id: string): Promise<number>;
  /** One-shot stats: the fallback when the cgroup files cannot be read. */
  statsOnce(id: string): Promise<Counters | null>;
}

interface Reading {
  atMs: number;
  c: Counters;
}

export interface SamplerOptions {
  /** Samples kept while the API is away (oldest dropped first). */
  maxPending?: number;
}

export class UnitSampler {
  private readonly last = new Map<string, Reading>();
  /** Per container: its files, or null once they could not be found (then the API is used). */
  private readonly files = new Map<string, CgroupFiles | null>();
  private pending: AgentUnitSample[] = [];
  /** Samples dropped because the backlog was full. */
  dropped = 0;
  /** How the last pass read its containers (for the agent's log and bench/agent). */
  lastPass = { cgroup: 0, api: 0 };

  constructor(
    private readonly docker: SamplerDocker,
    private readonly reader: CgroupReader | null,
    private readonly o: SamplerOptions = {},
  ) {}

  /** Reads every running unit container once and queues the figures of those read before. */
  async sample(containers: readonly SampledContainer[]): Promise<void> {
    const running = containers.filter((c) => c.state === "running" && c.unit);
    const live = new Set(running.map((c) => c.id));
    for (const id of [...this.last.keys()]) if (!live.has(id)) this.last.delete(id);
    for (const id of [...this.files.keys()]) if (!live.has(id)) this.files.delete(id);
    const pass = { cgroup: 0, api: 0 };
    for (const c of running) {
      const counters = await this.read(c.id, pass);
      if (!counters) continue;
      const at = Date.now();
      const prev = this.last.get(c.id);
      this.last.set(c.id, { atMs: at, c: counters });
      this.queue(figures(c.unit, prev, { atMs: at, c: counters }));
    }
    this.lastPass = pass;
  }

  /** Samples waiting to be sent, oldest first. */
  peek(): AgentUnitSample[] {
    return this.pending.slice();
  }

  /** The API took the first `n` samples handed out by peek(). */
  sent(n: number): void {
    this.pending.splice(0, n);
  }

  private queue(s: AgentUnitSample): void {
    this.pending.push(s);
    const max = this.o.maxPending ?? 5000;
    if (this.pending.length > max) {
      this.dropped += this.pending.length - max;
      this.pending.splice(0, this.pending.length - max);
    }
  }

  private async read(id: string, pass: { cgroup: number; api: number }): Promise<Counters | null> {
    if (this.reader) {
      let f = this.files.get(id);
      if (f === undefined) {
        f = this.reader.locate(await this.docker.pid(id).catch(() => 0));
        this.files.set(id, f);
      }
      if (f) {
        const c = this.reader.read(f);
        if (c) {
          pass.cgroup++;
          return c;
        }
        // The process went away (restarted with a new pid): look it up again next step.
        this.files.delete(id);
        return null;
      }
    }
    pass.api++;
    return this.docker.statsOnce(id).catch(() => null);
  }
}

/**
 * The step's figures from two readings: rates are means between them, assigned to the step
 * holding their midpoint; the first reading of a container gives its memory only.
 */
export function figures(unit: string, prev: Reading | undefined, cur: Reading): AgentUnitSample {
  const mid = prev ? (prev.atMs + cur.atMs) / 2 : cur.atMs;
  const s: AgentUnitSample = {
    Unit: unit,
    Time: Math.floor(mid / 1000 / STEP_S) * STEP_S,
    MemoryBytes: cur.c.memoryBytes,
  };
  if (!prev) return s;
  const dt = (cur.atMs - prev.atMs) / 1000;
  if (!(dt > 0)) return s;
  const cpu = cur.c.cpuNs - prev.c.cpuNs;
  const rx = cur.c.rxBytes - prev.c.rxBytes;
  const tx = cur.c.txBytes - prev.c.txBytes;
  // A counter that went back belongs to a new process or namespace: no rate for this step.
  if (cpu >= 0) s.CPUPercent = round((cpu / (dt * 1e9)) * 100, 2);
  if (rx >= 0) s.RxBytesPerSecond = round(rx / dt, 1);
  if (tx >= 0) s.TxBytesPerSecond = round(tx / dt, 1);
  return s;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
