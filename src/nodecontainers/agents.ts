// Node agents as the API sees them: each node's agent reports its unit containers and node
// checks every few seconds with a token that can only report for that node. A report's
// failed checks count against the node's health like a failed poll; an agent gone silent
// makes the server poll its node at once instead of waiting for the next poll; a report
// showing a started unit's container down wakes the healer.
import type { NodeAgentRecord, Store } from "../store/types.js";
import { BadRequestError, ForbiddenError } from "../domain/errors.js";
import { hashToken, newToken } from "../domain/secrets.js";
import type { Principal } from "../domain/services/principal.js";
import type { AgentCheck, AgentReport, AgentUnitStatus } from "../agent/protocol.js";

export interface AgentHealthPort {
  /** A check the agent saw fail on its node counts like a failed poll of the node. */
  reportFailure(node: string, error: string): void;
  /** Polls the node now (its agent went silent). */
  checkNow(node: string): void;
}

export interface AgentRegistryOptions {
  store: Store;
  health?: AgentHealthPort;
  /** How often agents report (they are started with this interval). */
  intervalMs: number;
  /** Reports missed in a row before the agent counts as silent. */
  staleAfterIntervals?: number;
  /** Time a new agent gets for its first report (image pull, start). */
  startGraceMs?: number;
  /** A report showed a started unit of the node down or missing. */
  onUnitsDown?: (node: string) => void;
  onSilent?: (node: string, silentMs: number) => void;
  now?: () => number;
}

/** What a stored report keeps (node info shows it). */
export interface StoredReport {
  units: AgentUnitStatus[];
  checks: AgentCheck[];
  droppedLines: number;
}

const MAX_UNITS = 5000;
const MAX_CHECKS = 50;

function str(v: unknown, what: string, max = 256): string {
  if (typeof v !== "string" || v.length > max)
    throw new BadRequestError(`${what} must be a string of at most ${max} characters.`);
  return v;
}

/** Checks a report's shape; a malformed report is a 400 saying which field is wrong. */
export function parseReport(body: unknown): AgentReport {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new BadRequestError('Send the report as a JSON object: {"Addrs": [], "Units": [], "Checks": []}.');
  const b = body as Record<string, unknown>;
  const list = (v: unknown, what: string, max: number): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.length > max)
      throw new BadRequestError(`${what} must be a list of at most ${max} entries.`);
    return v;
  };
  const units = list(b.Units, "Units", MAX_UNITS).map((u, i) => {
    const o = (u ?? {}) as Record<string, unknown>;
    return {
      ID: str(o.ID, `Units[${i}].ID`, 128),
      Name: str(o.Name ?? "", `Units[${i}].Name`),
      Status: str(o.Status, `Units[${i}].Status`, 32),
      Unit: str(o.Unit ?? "", `Units[${i}].Unit`, 128),
    };
  });
  const checks = list(b.Checks, "Checks", MAX_CHECKS).map((c, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    if (typeof o.Successful !== "boolean")
      throw new BadRequestError(`Checks[${i}].Successful must be true or false.`);
    return {
      Name: str(o.Name, `Checks[${i}].Name`, 64),
      Err: str(o.Err ?? "", `Checks[${i}].Err`, 1024),
      Successful: o.Successful,
    };
  });
  const addrs = list(b.Addrs, "Addrs", 64).map((a, i) => str(a, `Addrs[${i}]`, 64));
  const dropped = b.DroppedLines === undefined ? 0 : Number(b.DroppedLines);
  if (!Number.isSafeInteger(dropped) || dropped < 0)
    throw new BadRequestError("DroppedLines must be a whole number ≥ 0.");
  return { Addrs: addrs, Units: units, Checks: checks, DroppedLines: dropped };
}

/** The node a node-agent principal reports for; anyone else is refused. */
export function agentNode(p: Principal): string {
  if (p.kind !== "node-agent" || !p.node) throw new ForbiddenError("Only node agents report node status.");
  return p.node;
}

/** A new node-scoped token for the node's agent; the store keeps only its hash. */
export async function mintAgentToken(store: Store, node: string, container: string): Promise<string> {
  const token = newToken();
  await store.setNodeAgent({ node, tokenHash: hashToken(token), container });
  return token;
}

export class AgentRegistry {
  /** Per node: when its agent last reported (from this server or, via the store, another). */
  private readonly lastReport = new Map<string, number>();
  private readonly silent = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: AgentRegistryOptions) {
    this.now = o.now ?? Date.now;
  }

  get staleAfterMs(): number {
    return this.o.intervalMs * (this.o.staleAfterIntervals ?? 3);
  }

  /** Records a node's report; answers tsuru's [{ID, Found}] for its units. */
  async report(node: string, r: AgentReport): Promise<Array<{ ID: string; Found: boolean }>> {
    const at = this.now();
    this.lastReport.set(node, at);
    this.silent.delete(node);
    const stored: StoredReport = { units: r.Units, checks: r.Checks, droppedLines: r.DroppedLines ?? 0 };
    await this.o.store.recordNodeAgentReport(node, new Date(at), stored);
    const failed = r.Checks.filter((c) => !c.Successful);
    if (failed.length)
      this.o.health?.reportFailure(
        node,
        `node agent: ${failed.map((c) => `${c.Name}: ${c.Err || "failed"}`).join("; ")}`.slice(0, 500),
      );
    const started = await this.o.store.listUnits({ node, status: ["started"] });
    const known = new Set((await this.o.store.listUnits({ node })).map((u) => u.id));
    const running = new Set(r.Units.filter((u) => u.Status === "running").map((u) => u.Unit));
    if (started.some((u) => !running.has(u.id))) this.o.onUnitsDown?.(node);
    return r.Units.map((u) => ({ ID: u.ID, Found: known.has(u.Unit) }));
  }

  /** The node's agent reported within the staleness window. */
  isLive(node: string): boolean {
    const at = this.lastReport.get(node);
    return at !== undefined && this.now() - at <= this.staleAfterMs;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads every agent's last report from the store and acts on the silent ones. */
  async sweep(): Promise<void> {
    const now = this.now();
    const agents: NodeAgentRecord[] = await this.o.store.listNodeAgents();
    const seen = new Set<string>();
    for (const a of agents) {
      seen.add(a.node);
      const stored = a.lastReportAt?.getTime();
      const local = this.lastReport.get(a.node);
      const last = Math.max(stored ?? 0, local ?? 0);
      if (last > 0) this.lastReport.set(a.node, last);
      // A new agent gets time to be pulled and started before its silence counts.
      const since = last || a.createdAt.getTime() + (this.o.startGraceMs ?? 30_000);
      const quiet = now - since;
      if (quiet <= this.staleAfterMs) continue;
      if (!this.silent.has(a.node)) {
        this.silent.add(a.node);
        this.o.onSilent?.(a.node, quiet);
      }
      this.o.health?.checkNow(a.node);
    }
    for (const n of [...this.lastReport.keys()]) if (!seen.has(n)) this.lastReport.delete(n);
  }
}
