// Follows the output of every unit container on a node and hands it on line by line with
// Docker's timestamps. New containers are picked up from Docker's start events (and a
// periodic listing, in case an event was missed); a container that stops and starts again
// is followed again from the last line seen, so nothing is read twice or skipped. Used by
// the node agent (over the node's socket) and by the server for nodes without an agent.
import { Demuxer, LineSplitter } from "../cluster/docker/frames.js";
import type { AgentLogLine, LogMarks } from "./protocol.js";
import { sinceParam, splitTimestamp } from "./protocol.js";

export interface SourceContainer {
  id: string;
  unit: string;
  state: string;
}

/** A node's Docker engine as the collector needs it. */
export interface LogSource {
  /** Unit containers (label wharf.managed=true), running or not. */
  listUnits(): Promise<SourceContainer[]>;
  /** Calls onStart with the id of each unit container that starts; resolves when the stream ends. */
  watchStarts(onStart: (id: string) => void, signal: AbortSignal): Promise<void>;
  tty(id: string): Promise<boolean>;
  /** Raw log bytes from `since` (Docker's since; "" = from the start), followed until the container stops. */
  follow(id: string, since: string, signal: AbortSignal): Promise<AsyncIterable<Buffer | string>>;
}

export interface CollectorOptions {
  /** Where each unit's collection resumes when the collector starts. */
  marks?: () => Promise<LogMarks>;
  /** Time between listings (catches containers whose start event was missed). */
  resyncMs?: number;
  onError?: (err: unknown, where: string) => void;
}

export class LogCollector {
  private readonly following = new Map<string, AbortController>();
  /** Per unit: the newest line time seen, in ns. */
  private readonly seen = new Map<string, bigint>();
  private marks: LogMarks = {};
  private ac = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly source: LogSource,
    private readonly sink: (lines: AgentLogLine[]) => void,
    private readonly o: CollectorOptions = {},
  ) {}

  get followed(): number {
    return this.following.size;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.ac = new AbortController();
    try {
      this.marks = (await this.o.marks?.()) ?? {};
    } catch (err) {
      this.o.onError?.(err, "reading where collection resumes");
    }
    void this.watch();
    await this.sync();
    const again = () => {
      this.timer = setTimeout(() => {
        void this.sync().finally(() => this.running && again());
      }, this.o.resyncMs ?? 5000);
      this.timer.unref();
    };
    again();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.ac.abort();
    for (const f of this.following.values()) f.abort();
    this.following.clear();
  }

  /** Follows every running unit container not followed yet. */
  async sync(): Promise<void> {
    if (!this.running) return;
    try {
      for (const c of await this.source.listUnits())
        if (c.state === "running" && c.unit) this.attach(c.id, c.unit);
    } catch (err) {
      this.o.onError?.(err, "listing unit containers");
    }
  }

  private async watch(): Promise<void> {
    while (this.running) {
      try {
        await this.source.watchStarts((id) => void this.started(id), this.ac.signal);
      } catch (err) {
        if (!this.running) return;
        this.o.onError?.(err, "watching container starts");
      }
      if (!this.running) return;
      // The engine went away or closed the stream: list again once it is back.
      await new Promise((r) => setTimeout(r, 1000).unref());
      await this.sync();
    }
  }

  private async started(id: string): Promise<void> {
    if (this.following.has(id)) return;
    try {
      const c = (await this.source.listUnits()).find((x) => x.id === id);
      if (c?.unit) this.attach(c.id, c.unit);
    } catch (err) {
      this.o.onError?.(err, "reading a started container");
    }
  }

  private attach(id: string, unit: string): void {
    if (this.following.has(id) || !this.running) return;
    const ac = new AbortController();
    this.following.set(id, ac);
    void this.read(id, unit, ac.signal)
      .catch((err: unknown) => {
        if (!ac.signal.aborted) this.o.onError?.(err, `following unit ${unit}`);
      })
      .finally(() => {
        if (this.following.get(id) === ac) this.following.delete(id);
      });
  }

  private since(unit: string): string {
    const seen = this.seen.get(unit);
    return seen !== undefined ? sinceParam(seen) : (this.marks[unit] ?? "");
  }

  private async read(id: string, unit: string, signal: AbortSignal): Promise<void> {
    const tty = await this.source.tty(id);
    const body = await this.source.follow(id, this.since(unit), signal);
    const demux = new Demuxer();
    const split = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    const emit = (stream: "stdout" | "stderr", lines: string[]) => {
      const out: AgentLogLine[] = [];
      for (const raw of lines) {
        const { time, ns, message } = splitTimestamp(raw);
        if (ns === null) continue;
        const prev = this.seen.get(unit);
        if (prev === undefined || ns > prev) this.seen.set(unit, ns);
        out.push({ unit, stream, time, message });
      }
      if (out.length) this.sink(out);
    };
    for await (const chunk of body) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (tty) emit("stdout", split.stdout.push(buf.toString("utf8")));
      else for (const f of demux.push(buf)) emit(f.stream, split[f.stream].push(f.data.toString("utf8")));
    }
    emit("stdout", split.stdout.flush());
    emit("stderr", split.stderr.flush());
  }
}
