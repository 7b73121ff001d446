// tsuru's app log routes as domain operations: read the recent history and follow new
// lines (app.read.log), and write lines (app.update.log). Followers keep receiving lines
// from every unit of the app as units restart or move, since lines are routed by app.
import type { AppLogRecord } from "../store/types.js";
import { BadRequestError, TooManyRequestsError } from "../domain/errors.js";
import type { Ctx } from "../domain/services/context.js";
import { visibleApp } from "../domain/services/app-read.js";
import type { Principal } from "../domain/services/principal.js";
import { clipMessage, MAX_LINES_PER_REQUEST, parseFilter, parseLines } from "./entry.js";
import type { LogHub } from "./hub.js";

export interface LogRequest {
  lines: string;
  source: string;
  unit: string;
  follow: boolean;
}

/** Followers per app: each holds a connection and a listener. */
export const MAX_FOLLOWERS_PER_APP = 100;

/**
 * Checks the request and access, then sends the history (always one chunk, maybe empty)
 * and, when following, every new matching line until `signal` aborts. Everything that
 * can fail for the client's sake fails before the first send.
 */
export async function streamAppLog(
  ctx: Ctx,
  hub: LogHub,
  p: Principal,
  appName: string,
  r: LogRequest,
  send: (lines: AppLogRecord[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const lines = parseLines(r.lines, hub.historyLines);
  const filter = parseFilter(r.source, r.unit);
  const app = await visibleApp(ctx, p, appName, "app.read.log");
  if (!r.follow) {
    send(await hub.recent(app.name, lines, filter));
    return;
  }
  if (hub.followerCount(app.name) >= MAX_FOLLOWERS_PER_APP)
    throw new TooManyRequestsError(
      `App "${app.name}" already has ${MAX_FOLLOWERS_PER_APP} log followers: stop some of them, or try again later.`,
      30,
    );
  // Subscribe before reading the history, so nothing falls between the two.
  let ready = false;
  let sent = 0;
  const early: AppLogRecord[] = [];
  const stop = hub.subscribe(app.name, filter, (fresh) => {
    if (!ready) {
      early.push(...fresh);
      return;
    }
    const after = fresh.filter((l) => l.id > sent);
    if (after.length === 0) return;
    sent = after.at(-1)!.id;
    // tsuru sends each followed entry as its own one-element array.
    for (const l of after) send([l]);
  });
  try {
    const history = await hub.recent(app.name, lines, filter);
    send(history);
    sent = Math.max(0, ...history.map((l) => l.id));
    ready = true;
    const late = early.filter((l) => l.id > sent);
    for (const l of late) send([l]);
    if (late.length) sent = late.at(-1)!.id;
    if (!signal.aborted)
      await new Promise<void>((res) => signal.addEventListener("abort", () => res(), { once: true }));
  } finally {
    stop();
  }
}

export interface AddLogInput {
  messages: string[];
  source: string;
  unit: string;
}

/** tsuru's POST /apps/{app}/log: lines written by a tool or a user, dated now. */
export async function addAppLog(
  ctx: Ctx,
  hub: LogHub,
  p: Principal,
  appName: string,
  f: AddLogInput,
): Promise<number> {
  const source = f.source || "app";
  parseFilter(source, f.unit);
  if (f.messages.length === 0)
    throw new BadRequestError("Send at least one line: message=TEXT (repeat the field for more lines).");
  if (f.messages.length > MAX_LINES_PER_REQUEST)
    throw new BadRequestError(`Send at most ${MAX_LINES_PER_REQUEST} lines per request.`);
  const app = await visibleApp(ctx, p, appName, "app.update.log");
  const date = ctx.now();
  const stored = await hub.append(
    f.messages.map((m) => ({ app: app.name, date, message: clipMessage(m), source, unit: f.unit })),
  );
  return stored.length;
}
