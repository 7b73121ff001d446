// Autoscale settings of a process in tsuru's wire shape (tsuru 1.9+, GET/POST/DELETE
// /apps/{app}/units/autoscale: {process, minUnits, maxUnits, averageCPU: "60%" | "600m"}),
// plus Wharf's requests-per-unit target (requestsPerUnit). Every mistake is a 400 sentence.
import { BadRequestError } from "../domain/errors.js";
import { clip } from "../domain/names.js";
import type { AutoscaleRecord, NewAutoscale } from "../store/types.js";

/** Largest unit count an autoscale setting may name. */
export const MAX_UNITS = 1000;
/** The CPU target: a percentage of one core. */
export const CPU_RANGE = { min: 1, max: 100 } as const;
/** Requests per second per unit. */
export const RPU_RANGE = { min: 0.1, max: 100_000 } as const;

/** tsuru's AutoScaleSpec as the API sends and takes it. */
export interface AutoscaleSpecJson {
  process: string;
  minUnits: number;
  maxUnits: number;
  /** "60%" (of one core) or Kubernetes' milli-cores, "600m"; "" = no CPU target. */
  averageCPU: string;
  /** Wharf: target requests per second per unit; 0 = none. */
  requestsPerUnit: number;
}

export function toSpecJson(r: AutoscaleRecord): AutoscaleSpecJson {
  return {
    process: r.process,
    minUnits: r.minUnits,
    maxUnits: r.maxUnits,
    averageCPU: r.cpuPercent === null ? "" : `${r.cpuPercent}%`,
    requestsPerUnit: r.requestsPerUnit ?? 0,
  };
}

/** A CPU target ("60%", "60" or milli-cores "600m") as a percentage of one core; null when empty. */
export function parseCpuTarget(v: unknown): number | null {
  if (v === undefined || v === null || v === "") return null;
  const s = String(v).trim();
  let pct: number;
  const m = /^(\d+(?:\.\d+)?)\s*(%|m)?$/.exec(s);
  if (!m)
    throw new BadRequestError(
      `Invalid CPU target "${clip(s)}": write a percentage of one core (60%) or milli-cores (600m).`,
    );
  pct = Number(m[1]);
  if (m[2] === "m") pct /= 10;
  if (!(pct >= CPU_RANGE.min && pct <= CPU_RANGE.max))
    throw new BadRequestError(
      `CPU target ${clip(s)} is out of range: give ${CPU_RANGE.min}% to ${CPU_RANGE.max}% of one core (or ${CPU_RANGE.min * 10}m to ${CPU_RANGE.max * 10}m).`,
    );
  return Math.round(pct * 10) / 10;
}

function parseCount(v: unknown, what: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_UNITS)
    throw new BadRequestError(
      `${what} must be a whole number from 1 to ${MAX_UNITS}, got "${clip(String(v ?? ""))}".`,
    );
  return n;
}

function parseRpu(v: unknown): number | null {
  if (v === undefined || v === null || v === "" || v === 0 || v === "0") return null;
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || n < RPU_RANGE.min || n > RPU_RANGE.max)
    throw new BadRequestError(
      `Requests per unit must be a number of requests per second from ${RPU_RANGE.min} to ${RPU_RANGE.max}, got "${clip(String(v))}".`,
    );
  return n;
}

/**
 * The setting a POST body asks for (JSON as tsuru's client sends it, or a form), checked:
 * counts in range, min ≤ max, at least one target, targets in range. `quotaLimit` is the
 * app's unit quota (negative = unlimited): max may not pass it, as in tsuru.
 */
export interface SpecFields {
  process: string;
  minUnits: unknown;
  maxUnits: unknown;
  averageCPU: unknown;
  requestsPerUnit: unknown;
}

export function parseSpec(app: string, body: SpecFields, quotaLimit: number): NewAutoscale {
  const process = body.process.trim();
  if (!process) throw new BadRequestError("Name the process to autoscale: process=web (-p web).");
  const minUnits = parseCount(body.minUnits, "The minimum number of units");
  const maxUnits = parseCount(body.maxUnits, "The maximum number of units");
  if (minUnits > maxUnits)
    throw new BadRequestError(
      `The minimum number of units (${minUnits}) is above the maximum (${maxUnits}): give --min at most --max.`,
    );
  if (quotaLimit >= 0 && maxUnits > quotaLimit)
    throw new BadRequestError(
      `The maximum number of units (${maxUnits}) is above the app's unit quota (${quotaLimit}): lower --max or raise the quota.`,
    );
  const cpuPercent = parseCpuTarget(body.averageCPU);
  const requestsPerUnit = parseRpu(body.requestsPerUnit);
  if (cpuPercent === null && requestsPerUnit === null)
    throw new BadRequestError(
      "Give a target to scale toward: a CPU percentage (--cpu 60%), requests per unit (--rpu 100), or both.",
    );
  return { app, process, minUnits, maxUnits, cpuPercent, requestsPerUnit };
}
