// Reads `wharf server`'s pino log (JSON lines, `time` in epoch ms) to place the server's side
// of a timed CLI command on the command's own clock: when its requests arrived, when they
// completed, and whatever the server warned about meanwhile.
import { readFileSync } from "node:fs";

interface LogLine {
  time: number;
  msg?: string;
  level?: number;
  reqId?: string;
  req?: { method?: string; url?: string };
  responseTime?: number;
}

export function readServerLog(path: string): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    if (!raw.startsWith("{")) continue;
    try {
      out.push(JSON.parse(raw) as LogLine);
    } catch {
      // a line cut by the server's exit
    }
  }
  return out;
}

/**
 * ms after `epoch` at which the first request `method url` (url prefix) arrived within
 * [epoch, epoch + withinMs], and when its response was complete; undefined when not found.
 */
export function requestMarks(
  log: readonly LogLine[],
  epoch: number,
  withinMs: number,
  method: string,
  url: string,
): { arrived: number; completed: number } | undefined {
  const inWindow = (l: LogLine) => l.time >= epoch - 5 && l.time <= epoch + withinMs + 50;
  const start = log.find(
    (l) =>
      inWindow(l) && l.msg === "incoming request" && l.req?.method === method && l.req.url?.startsWith(url),
  );
  if (!start) return undefined;
  const end = log.find(
    (l) => l.reqId === start.reqId && l.msg === "request completed" && l.time >= start.time,
  );
  return { arrived: start.time - epoch, completed: (end?.time ?? NaN) - epoch };
}

/** Warnings and errors the server logged within the window (level ≥ 40). */
export function problems(log: readonly LogLine[], epoch: number, withinMs: number): string[] {
  return log
    .filter((l) => (l.level ?? 0) >= 40 && l.time >= epoch && l.time <= epoch + withinMs)
    .map((l) => JSON.stringify(l).slice(0, 300));
}
