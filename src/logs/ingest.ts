// Log lines collected from unit containers (by a node's agent, or by the server itself for
// nodes without one) become app log lines here. The unit decides the app and the source
// (its process), from the store, never from what the sender claims; a sender may only send
// lines of units placed on its own node. Lines are deduplicated by time per unit and stream,
// so a reconnect, or the agent and the server both collecting during a hand-over, never
// stores a line twice.
import type { NewAppLog, Store, UnitRecord } from "../store/types.js";
import { BadRequestError } from "../domain/errors.js";
import type { AgentLogAnswer, AgentLogLine, LogMarks } from "../agent/protocol.js";
import { parseTimeNs, sinceParam } from "../agent/protocol.js";
import { clipMessage, MAX_LINES_PER_REQUEST, validUnit } from "./entry.js";
import type { LogHub } from "./hub.js";

interface KnownUnit {
  app: string;
  process: string;
  node: string;
  seenAt: number;
}

/** Units stay known this long after their row went, so their last lines are still kept. */
const UNIT_MEMORY_MS = 10 * 60_000;
/** A unit id without a row is not looked up again for this long. */
const UNKNOWN_MEMORY_MS = 30_000;
/** High-water marks of units not heard from for this long are forgotten (memory bound). */
const MARK_MEMORY_MS = 60 * 60_000;

export class LogIngest {
  private readonly units = new Map<string, KnownUnit>();
  /** Unit ids with no row, when last looked up (a unit's row exists before its container starts). */
  private readonly unknown = new Map<string, number>();
  /** `${unit}/${stream}` → newest stored time in ns, and when it was last touched. */
  private readonly marks = new Map<string, { ns: bigint; at: number }>();
  private lastSweep = Date.now();

  constructor(
    private readonly store: Store,
    private readonly hub: LogHub,
    private readonly now: () => number = Date.now,
  ) {}

  /** Validates the shape of a batch from the network; a client mistake is a 400 with a sentence. */
  static parseBatch(body: unknown): AgentLogLine[] {
    const lines = (body as { lines?: unknown } | null)?.lines;
    if (!Array.isArray(lines))
      throw new BadRequestError('Send {"lines": [{"unit", "stream", "time", "message"}, ...]} as JSON.');
    if (lines.length > MAX_LINES_PER_REQUEST)
      throw new BadRequestError(
        `Send at most ${MAX_LINES_PER_REQUEST} lines per request, got ${lines.length}.`,
      );
    return lines.map((l: unknown, i: number) => {
      const o = (l ?? {}) as Record<string, unknown>;
      const bad = (what: string) => new BadRequestError(`Line ${i}: ${what}.`);
      if (typeof o.unit !== "string" || !validUnit(o.unit)) throw bad("unit must be a unit id");
      if (o.stream !== "stdout" && o.stream !== "stderr") throw bad('stream must be "stdout" or "stderr"');
      if (typeof o.time !== "string" || parseTimeNs(o.time) === null)
        throw bad("time must be an RFC 3339 time such as 2024-01-02T03:04:05.123456789Z");
      if (typeof o.message !== "string") throw bad("message must be a string");
      return { unit: o.unit, stream: o.stream, time: o.time, message: o.message };
    });
  }

  /** Stores the node's lines; lines of unknown units or of another node's units are rejected. */
  async ingest(node: string, lines: readonly AgentLogLine[]): Promise<AgentLogAnswer> {
    const answer: AgentLogAnswer = { accepted: 0, duplicates: 0, rejected: 0 };
    const ids = [...new Set(lines.map((l) => l.unit))];
    const units = await this.resolve(ids);
    await this.seedMarks(ids.filter((u) => units.has(u)));
    const out: NewAppLog[] = [];
    for (const l of lines) {
      const u = units.get(l.unit);
      if (!u || u.node !== node) {
        answer.rejected++;
        continue;
      }
      const ns = parseTimeNs(l.time)!;
      const key = `${l.unit}/${l.stream}`;
      const mark = this.marks.get(key);
      if (mark && ns <= mark.ns) {
        answer.duplicates++;
        continue;
      }
      this.marks.set(key, { ns, at: this.now() });
      out.push({
        app: u.app,
        date: new Date(Number(ns / 1_000_000n)),
        message: clipMessage(l.message),
        source: u.process,
        unit: l.unit,
      });
    }
    // A failed store write must not leave marks saying the lines were kept.
    try {
      await this.hub.append(out);
    } catch (err) {
      for (const l of lines) this.marks.delete(`${l.unit}/${l.stream}`);
      throw err;
    }
    answer.accepted = out.length;
    this.sweep();
    return answer;
  }

  /** Where collection of each unit on the node resumes (Docker's `since`). */
  async marksFor(node: string): Promise<LogMarks> {
    const rows = await this.store.listUnits({ node });
    for (const u of rows) this.remember(u);
    const units = rows.map((u) => u.id);
    await this.seedMarks(units);
    const out: LogMarks = {};
    for (const u of units) {
      const a = this.marks.get(`${u}/stdout`)?.ns;
      const b = this.marks.get(`${u}/stderr`)?.ns;
      const known = [a, b].filter((x): x is bigint => x !== undefined);
      // Docker's since is inclusive: the line at the mark comes again and is dropped as a duplicate.
      if (known.length) out[u] = sinceParam(known.reduce((m, x) => (x < m ? x : m)));
    }
    return out;
  }

  private remember(u: UnitRecord): KnownUnit {
    const k = { app: u.app, process: u.process, node: u.node, seenAt: this.now() };
    this.units.set(u.id, k);
    return k;
  }

  private async resolve(ids: readonly string[]): Promise<Map<string, KnownUnit>> {
    const out = new Map<string, KnownUnit>();
    for (const id of ids) {
      const cached = this.units.get(id);
      if (cached) {
        out.set(id, cached);
        continue;
      }
      const missAt = this.unknown.get(id);
      if (missAt !== undefined && this.now() - missAt < UNKNOWN_MEMORY_MS) continue;
      const row = await this.store.findUnit(id);
      if (row) {
        this.unknown.delete(id);
        out.set(id, this.remember(row));
      } else {
        if (this.unknown.size > 10_000) this.unknown.clear();
        this.unknown.set(id, this.now());
      }
    }
    return out;
  }

  /** Units seen for the first time since start resume after their newest stored line. */
  private async seedMarks(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((u) => !this.marks.has(`${u}/stdout`) && !this.marks.has(`${u}/stderr`));
    if (missing.length === 0) return;
    const stored = await this.store.listUnitLogMarks(missing);
    for (const [u, d] of Object.entries(stored)) {
      // Stored dates have millisecond precision: the whole millisecond counts as seen.
      const ns = BigInt(d.getTime() + 1) * 1_000_000n - 1n;
      for (const s of ["stdout", "stderr"]) {
        const key = `${u}/${s}`;
        if (!this.marks.has(key)) this.marks.set(key, { ns, at: this.now() });
      }
    }
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [k, m] of this.marks) if (now - m.at > MARK_MEMORY_MS) this.marks.delete(k);
    for (const [k, u] of this.units) if (now - u.seenAt > UNIT_MEMORY_MS) this.units.delete(k);
    for (const [k, at] of this.unknown) if (now - at > UNKNOWN_MEMORY_MS) this.unknown.delete(k);
  }
}
