// GET /apps/{app}/metrics as a domain operation: who may read it (as app info: app.read,
// plus app.read.metric which app.read covers), what `since` and `process` may be, and the
// answer from the server's MetricsService.
import { BadRequestError } from "../domain/errors.js";
import { clip } from "../domain/names.js";
import { visibleApp } from "../domain/services/app-read.js";
import { appProcesses, noSuchProcess } from "../domain/services/app-processes.js";
import type { Ctx } from "../domain/services/context.js";
import type { Principal } from "../domain/services/principal.js";
import type { AppMetrics } from "./names.js";
import type { MetricsService } from "./service.js";
import { WINDOW_S } from "../util/steps.js";

export interface MetricsQuery {
  process: string;
  since: string;
}

const DURATION = /^(\d{1,6})(s|m|h)$/;

/**
 * `since` as unix seconds: empty = an hour ago; a duration back from now ("15m", "90s",
 * "1h"); unix seconds; or an RFC 3339 time.
 */
export function parseSince(since: string, nowS: number): number {
  const s = since.trim();
  if (s === "") return nowS - WINDOW_S;
  const d = DURATION.exec(s);
  if (d) return nowS - Number(d[1]) * { s: 1, m: 60, h: 3600 }[d[2] as "s" | "m" | "h"];
  if (/^\d{1,12}$/.test(s)) return Number(s);
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new BadRequestError(
    `"since" must be a time: unix seconds (${nowS - 600}), an RFC 3339 time (2026-01-02T15:04:05Z) or a duration back from now (15m, 1h); got "${clip(s)}".`,
  );
}

export async function readAppMetrics(
  ctx: Ctx,
  metrics: MetricsService,
  p: Principal,
  appName: string,
  q: MetricsQuery,
): Promise<AppMetrics> {
  const since = parseSince(q.since, metrics.nowS());
  const app = await visibleApp(ctx, p, appName, "app.read.metric");
  const process = q.process.trim();
  if (process) {
    const known = await appProcesses(ctx.store, app.name);
    for (const p of await metrics.processesWithSeries(app.name)) known.add(p);
    if (!known.has(process)) throw new BadRequestError(noSuchProcess(app.name, clip(process), known));
  }
  return metrics.read(app.name, since, process || undefined);
}
