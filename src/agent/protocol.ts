// What the node agent and the API say to each other, shared by both sides (this file and
// everything under src/agent may import only node: modules and relative files, because it
// is copied into the agent image as it is).
//
//  POST /node/status   the agent's report: unit containers and node checks (tsuru's bs report,
//                      plus each container's Wharf unit id) and unit metric samples;
//                      answers [{ID, Found}]
//  GET  /node/logmarks where log collection resumes, per unit on the node
//  POST /node/logs     log lines of the node's unit containers
// Every call carries the node-scoped token as `Authorization: bearer <token>`.

export const AGENT_ROUTES = {
  status: "/node/status",
  marks: "/node/logmarks",
  logs: "/node/logs",
} as const;

export interface AgentUnitStatus {
  /** Docker container id. */
  ID: string;
  /** Container name. */
  Name: string;
  /** Docker state: running, exited, restarting, ... */
  Status: string;
  /** The container's wharf.unit label. */
  Unit: string;
}

export interface AgentCheck {
  Name: string;
  Err: string;
  Successful: boolean;
}

export interface AgentReport {
  Addrs: string[];
  Units: AgentUnitStatus[];
  Checks: AgentCheck[];
  /** Lines the agent dropped since its last report because the API could not take them. */
  DroppedLines?: number;
  /** Unit samples not yet accepted by the API (src/agent/sampler.ts). */
  Metrics?: AgentUnitSample[];
}

export interface AgentLogLine {
  unit: string;
  stream: "stdout" | "stderr";
  /** Docker's RFC 3339 timestamp with nanoseconds. */
  time: string;
  message: string;
}

export interface AgentLogBatch {
  lines: AgentLogLine[];
}

export interface AgentLogAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** Per unit: Docker `since` values ("seconds.nanoseconds") to resume after. */
export type LogMarks = Record<string, string>;

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of an RFC 3339 time (as Docker writes them), or null. */
export function parseTimeNs(time: string): bigint | null {
  const m = RFC3339.exec(time);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  const frac = (m[2] ?? "").padEnd(9, "0");
  return BigInt(ms) * 1_000_000n + BigInt(frac);
}

/** Docker's `since` query value for a time in nanoseconds. */
export function sinceParam(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const nanos = ns % 1_000_000_000n;
  return `${sec}.${nanos.toString().padStart(9, "0")}`;
}

export function parseSinceParam(s: string): bigint | null {
  const m = /^(\d{1,12})\.(\d{9})$/.exec(s);
  return m ? BigInt(m[1]!) * 1_000_000_000n + BigInt(m[2]!) : null;
}

/**
 * Splits a line of Docker's `timestamps=1` log output into its time and text. A line
 * without a timestamp (should not happen) keeps its whole text and has no time.
 */
export function splitTimestamp(line: string): { time: string; ns: bigint | null; message: string } {
  const sp = line.indexOf(" ");
  const head = sp > 0 ? line.slice(0, sp) : line;
  const ns = parseTimeNs(head);
  if (ns === null) return { time: "", ns: null, message: line };
  return { time: head, ns, message: sp > 0 ? line.slice(sp + 1) : "" };
}

/**
 * One unit's figures for one 10 s step, computed by the agent from two readings of the
 * container's counters (rates are means over the time between the readings). A field is
 * left out when the agent could not measure it (the first reading has no rates yet).
 */
export interface AgentUnitSample {
  Unit: string;
  /** Start of the step, unix seconds (a multiple of 10). */
  Time: number;
  /** Percent of one CPU core. */
  CPUPercent?: number;
  MemoryBytes?: number;
  RxBytesPerSecond?: number;
  TxBytesPerSecond?: number;
}
