// Is a new unit ready for traffic? tsuru's deploy-time semantics: without a healthcheck
// path, the unit's port must accept a TCP connection; with one, an HTTP request to it must
// answer the expected status (200 unless set), redirects not followed, TLS not verified.
// Connection errors are retried until the deadline; a wrong answer fails at once unless
// allowed_failures leaves room. A unit whose container exited fails at its next check.
import { connect } from "node:net";
import { Agent, request } from "undici";
import type { Engine } from "../../cluster/docker/engine.js";
import { BadRequestError } from "../../domain/errors.js";
import { UnitUnhealthyError } from "./errors.js";

export { UnitUnhealthyError };
import { unitLogs } from "./logs.js";
import { abortError, throwIfAborted } from "../../util/abort.js";

export interface Healthcheck {
  /** Required to use HTTP; leading "/" and spaces are trimmed as tsuru does. */
  path?: string;
  method?: string;
  /** Expected status; 200 when unset. */
  status?: number;
  /** A regular expression the body must match (dot matches newlines, as tsuru's "(?s)"). */
  match?: string;
  scheme?: "http" | "https";
  headers?: Record<string, string>;
  /** Per-request timeout; 0 or unset means 60 s (still bounded by the overall timeout). */
  timeoutSeconds?: number;
  /** Wrong answers tolerated before failing. */
  allowedFailures?: number;
}

export interface WaitHealthyOptions {
  /** Named in errors and progress lines. */
  unitId: string;
  /** `ip:port` of the unit. */
  address: string;
  healthcheck?: Healthcheck;
  /** Overall deadline; tsuru's docker:healthcheck:max-time defaults to 120 s. */
  timeoutMs?: number;
  /** Pause between attempts after the first second (10 ms pauses before); 500 ms unless set. */
  intervalMs?: number;
  signal?: AbortSignal;
  /**
   * Checked during the pause after a failed attempt, at most every 200 ms (the caller saw the
   * container running before the first attempt): true fails at once (it will never answer).
   */
  containerExited?: () => Promise<boolean>;
  /** The unit's last log lines, put in the error. */
  lastLogs?: () => Promise<string[]>;
  log?: (line: string) => void;
}

/** containerExited and lastLogs for a unit container, for waitHealthy. */
export function containerProbes(
  engine: Engine,
  containerId: string,
  lines = 10,
): Pick<WaitHealthyOptions, "containerExited" | "lastLogs"> {
  return {
    containerExited: async () => {
      try {
        const s = (await engine.containers.inspect(containerId)).State;
        return !s.Running && !s.Restarting;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return true;
        throw err;
      }
    },
    lastLogs: () => unitLogs(engine, containerId, lines),
  };
}

export function validateHealthcheck(hc: Healthcheck): void {
  if (hc.method !== undefined && !/^[A-Za-z]{1,16}$/.test(hc.method)) {
    throw new BadRequestError(`healthcheck method "${hc.method}" is not an HTTP method`);
  }
  if (hc.status !== undefined && (!Number.isInteger(hc.status) || hc.status < 100 || hc.status > 599)) {
    throw new BadRequestError(`healthcheck status must be an HTTP status from 100 to 599, got ${hc.status}`);
  }
  if (hc.scheme !== undefined && hc.scheme !== "http" && hc.scheme !== "https") {
    throw new BadRequestError(`healthcheck scheme must be http or https, got "${String(hc.scheme)}"`);
  }
  for (const [n, v] of [
    ["timeout_seconds", hc.timeoutSeconds],
    ["allowed_failures", hc.allowedFailures],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new BadRequestError(`healthcheck ${n} must be a whole number ≥ 0, got ${v}`);
    }
  }
  if (hc.path !== undefined && /[\s\0]/.test(hc.path.trim())) {
    throw new BadRequestError(`healthcheck path "${hc.path}" must not contain spaces`);
  }
  if (hc.match !== undefined) {
    try {
      new RegExp(hc.match, "s");
    } catch {
      throw new BadRequestError(`healthcheck match "${hc.match}" is not a valid regular expression`);
    }
  }
}

/** tsuru trims spaces and leading slashes; an empty result means "no HTTP healthcheck". */
export function healthcheckPath(hc?: Healthcheck): string | null {
  const p = hc?.path?.trim().replace(/^\/+/, "") ?? "";
  return hc?.path?.trim() ? p : null;
}

type Attempt = { ok: true } | { ok: false; kind: "connect" | "answer"; reason: string };

// Pauses between attempts during the first second of the wait (see waitHealthy). A refused
// connection costs well under a millisecond, so looking every 10 ms for a second is cheap and
// finds a unit ready at most 10 ms after it listens.
const FAST_PHASE_MS = 1000;
const FAST_INTERVAL_MS = 10;
const EXIT_CHECK_MS = 200;

// A connection that the peer closes at once is a proxy with no backend (docker-proxy on a
// local engine), not a listening app.
const SETTLE_MS = 50;

function tcpAttempt(address: string, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve) => {
    const sock = connect({ host, port, signal });
    let connected = false;
    const done = (a: Attempt) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(
      () =>
        connected
          ? done({ ok: true })
          : done({ ok: false, kind: "connect", reason: `connecting to ${address} timed out` }),
      timeoutMs,
    );
    sock.once("connect", () => {
      connected = true;
      clearTimeout(timer);
      setTimeout(() => done({ ok: true }), SETTLE_MS).unref();
    });
    sock.once("close", () =>
      done({
        ok: false,
        kind: "connect",
        reason: `${address} closed the connection${connected ? " at once" : ""}`,
      }),
    );
    sock.once("error", (e: Error) => done({ ok: false, kind: "connect", reason: e.message }));
  });
}

const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });

async function httpAttempt(
  address: string,
  hc: Healthcheck,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Attempt> {
  const url = `${hc.scheme ?? "http"}://${address}/${path}`;
  const expected = hc.status ?? 200;
  const headers = { ...hc.headers };
  try {
    const res = await request(url, {
      method: (hc.method ?? "GET").toUpperCase() as "GET",
      headers,
      dispatcher: hc.scheme === "https" ? insecureAgent : undefined,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal,
    });
    const body = hc.match !== undefined ? await res.body.text() : (await res.body.dump(), "");
    if (res.statusCode !== expected) {
      return {
        ok: false,
        kind: "answer",
        reason: `wrong status code, expected ${expected}, got: ${res.statusCode}`,
      };
    }
    if (hc.match !== undefined && !new RegExp(hc.match, "s").test(body)) {
      return {
        ok: false,
        kind: "answer",
        reason: `unexpected result, expected "${hc.match}", got: ${body.slice(0, 200)}`,
      };
    }
    return { ok: true };
  } catch (err) {
    throwIfAborted(signal);
    const e = err as Error & { cause?: Error };
    return { ok: false, kind: "connect", reason: e.cause?.message ?? e.message };
  }
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  if (i < 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BadRequestError(`unit address "${address}" must be written as ip:port`);
  }
  return [address.slice(0, i), port];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves when the unit is healthy; throws UnitUnhealthyError (with its last log lines) otherwise. */
export async function waitHealthy(opts: WaitHealthyOptions): Promise<void> {
  const hc = opts.healthcheck;
  if (hc) validateHealthcheck(hc);
  splitAddress(opts.address);
  const path = healthcheckPath(hc);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const intervalMs = opts.intervalMs ?? 500;
  const deadline = Date.now() + timeoutMs;
  let allowed = hc?.allowedFailures ?? 0;
  let last = "no attempt was made";

  const fail = async (reason: string): Promise<never> => {
    let lines: string[] = [];
    try {
      lines = opts.lastLogs ? await opts.lastLogs() : [];
    } catch (err) {
      lines = [`(its logs could not be read: ${(err as Error).message})`];
    }
    throw new UnitUnhealthyError(opts.unitId, reason, lines);
  };

  const started = Date.now();
  let lastExitCheck = 0;
  for (;;) {
    throwIfAborted(opts.signal);
    const remaining = Math.max(1, deadline - Date.now());
    const perRequest = Math.min(remaining, hc?.timeoutSeconds ? hc.timeoutSeconds * 1000 : 60_000);
    const a =
      path === null
        ? await tcpAttempt(opts.address, Math.min(remaining, 5_000), opts.signal)
        : await httpAttempt(opts.address, hc!, path, perRequest, opts.signal);
    throwIfAborted(opts.signal);
    if (a.ok) {
      opts.log?.(` ---> healthcheck successful(${opts.unitId})`);
      return;
    }
    last = a.reason;
    if (a.kind === "answer") {
      if (allowed === 0) return fail(a.reason);
      allowed--;
    }
    // A fresh process usually listens within a second: look often until then, so the unit
    // is found ready soon after it is; later attempts keep the caller's pace.
    const pause = Date.now() - started < FAST_PHASE_MS ? Math.min(FAST_INTERVAL_MS, intervalMs) : intervalMs;
    if (Date.now() + pause >= deadline) {
      return fail(`no healthy answer within ${Math.round(timeoutMs / 1000)}s; last error: ${a.reason}`);
    }
    // Refused connections of the fast phase are the process still starting: not worth a line each.
    if (path !== null && (a.kind === "answer" || pause === intervalMs)) {
      opts.log?.(` ---> healthcheck fail(${opts.unitId}): ${a.reason}. Trying again in ${pause / 1000}s`);
    }
    // The exit check (an engine round trip) runs during the pause, not before each attempt,
    // and at most every EXIT_CHECK_MS: the engine is busy starting the unit.
    const check = Date.now() - lastExitCheck >= EXIT_CHECK_MS;
    if (check) lastExitCheck = Date.now();
    const [exited] = await Promise.all([
      check ? (opts.containerExited?.() ?? false) : false,
      sleep(pause, opts.signal),
    ]);
    if (exited) return fail(`its container exited (last check: ${last})`);
  }
}
