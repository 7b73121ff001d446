// Checks the samples a node agent sends with its report (src/agent/protocol.ts) and turns
// them into stored points: only units Wharf placed on that agent's node are taken (a node's
// token cannot write another node's units), times must be step starts inside the hour kept,
// values finite and not negative. restarts comes from the unit's record (Wharf heals by
// replacing a slot's container; its count survives the replacement), not from the agent.
import type { AgentUnitSample } from "../agent/protocol.js";
import { BadRequestError } from "../domain/errors.js";
import type { UnitMetricPoint, UnitRecord } from "../store/types.js";
import { STEP_S, WINDOW_S } from "../util/steps.js";

/** Samples per report: 50 units × 6 steps of backlog, with room to spare. */
export const MAX_SAMPLES = 5000;

const FIELDS = {
  CPUPercent: "cpu_percent",
  MemoryBytes: "memory_bytes",
  RxBytesPerSecond: "net_rx_bytes",
  TxBytesPerSecond: "net_tx_bytes",
} as const;

/** The Metrics field of a report, shape-checked (a malformed one is a 400 saying where). */
export function parseSamples(v: unknown): AgentUnitSample[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_SAMPLES)
    throw new BadRequestError(`Metrics must be a list of at most ${MAX_SAMPLES} samples.`);
  return v.map((raw, i) => {
    const o = (raw ?? {}) as Record<string, unknown>;
    if (typeof o.Unit !== "string" || o.Unit.length === 0 || o.Unit.length > 128)
      throw new BadRequestError(`Metrics[${i}].Unit must be a unit id.`);
    if (typeof o.Time !== "number" || !Number.isInteger(o.Time) || o.Time % STEP_S !== 0)
      throw new BadRequestError(
        `Metrics[${i}].Time must be a step start: unix seconds, a multiple of ${STEP_S}.`,
      );
    const s: AgentUnitSample = { Unit: o.Unit, Time: o.Time };
    for (const k of Object.keys(FIELDS) as Array<keyof typeof FIELDS>) {
      const x = o[k];
      if (x === undefined || x === null) continue;
      if (typeof x !== "number" || !Number.isFinite(x) || x < 0)
        throw new BadRequestError(`Metrics[${i}].${k} must be a number of at least 0.`);
      s[k] = x;
    }
    return s;
  });
}

/** The points to store for a node's samples; samples of other nodes' or unknown units are left out. */
export function samplePoints(
  node: string,
  samples: readonly AgentUnitSample[],
  units: ReadonlyMap<string, UnitRecord>,
  nowS: number,
): UnitMetricPoint[] {
  const out: UnitMetricPoint[] = [];
  for (const s of samples) {
    const u = units.get(s.Unit);
    if (!u || u.node !== node) continue;
    if (s.Time < nowS - WINDOW_S || s.Time > nowS + STEP_S) continue;
    for (const [k, name] of Object.entries(FIELDS) as Array<[keyof typeof FIELDS, string]>) {
      const value = s[k];
      if (value !== undefined) out.push({ unit: u.id, name, ts: s.Time, value });
    }
    out.push({ unit: u.id, name: "restarts", ts: s.Time, value: u.restarts });
  }
  return out;
}
