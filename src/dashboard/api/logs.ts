// `wharf app log -f` in the browser: GET /apps/{app}/log?follow=1 answers the recent lines as
// one JSON array, then each new line as its own array (and "[]" as a keep-alive). When the
// connection drops, the follow says so, waits, asks again with the recent history and keeps
// only the lines it had not shown (LogBuffer), so nothing is lost or shown twice.
import { ApiError, query, send } from "./client";
import { readLines } from "./streams";
import { LogBuffer, type LogEntry } from "../lib/log-merge";

export type FollowState = "connecting" | "live" | "reconnecting" | "failed";

export interface FollowOptions {
  app: string;
  source?: string;
  unit?: string;
  /** Lines of history asked for on the first connection. */
  lines?: number;
  onLines(fresh: LogEntry[], all: readonly LogEntry[]): void;
  onState(state: FollowState, detail?: string): void;
}

const RECONNECT_LINES = 500;
const MAX_DELAY_MS = 5000;

/** Follows until the signal aborts. A refusal (4xx: no access, bad filter) ends it as failed. */
export async function followLog(o: FollowOptions, signal: AbortSignal): Promise<void> {
  const buffer = new LogBuffer();
  let attempt = 0;
  while (!signal.aborted) {
    o.onState(attempt === 0 ? "connecting" : "reconnecting");
    try {
      const q = query({
        lines: attempt === 0 ? (o.lines ?? 100) : RECONNECT_LINES,
        follow: 1,
        ...(o.source ? { source: o.source } : {}),
        ...(o.unit ? { unit: o.unit } : {}),
      });
      const res = await send("GET", `/apps/${encodeURIComponent(o.app)}/log${q}`, undefined, { signal });
      let first = true;
      await readLines(res, (line) => {
        if (!line.trim()) return;
        let batch: LogEntry[];
        try {
          batch = JSON.parse(line) as LogEntry[];
        } catch {
          return; // not a log array: skip it rather than stop the follow
        }
        if (first) {
          first = false;
          attempt = 1;
          o.onState("live");
        }
        if (!Array.isArray(batch) || batch.length === 0) return;
        const fresh = buffer.add(batch);
        if (fresh.length) o.onLines(fresh, buffer.lines());
      });
    } catch (e) {
      if (signal.aborted || (e as Error).name === "AbortError") return;
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
        o.onState("failed", e.message);
        return;
      }
    }
    if (signal.aborted) return;
    // The stream ended or broke: the server restarted, a proxy cut it, the network dropped.
    attempt = Math.max(attempt, 1);
    o.onState("reconnecting");
    const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(attempt, 4));
    attempt++;
    await new Promise<void>((r) => {
      const t = setTimeout(r, delay);
      signal.addEventListener("abort", () => (clearTimeout(t), r()), { once: true });
    });
  }
}
