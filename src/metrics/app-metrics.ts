// GET /apps/{app}/metrics as a domain operation: who may read it (as app info: app.read,
// plus app.read.metric which app.read covers), what `since` and `process` may be, and the
// answer from the server's MetricsService.
import { BadRequestError } from "../domain/errors.js";
import { clip } from "../domain/names.js";
import { visibleApp } from "../domain/services/app-read.js";
import type { Ctx } from "../domain/services/context.js";
import type { Principal } from "../domain/services/principal.js";
import type { AppMetrics } from "./names.js";
import type { MetricsService } from "./service.js";
import { WINDOW_S } from "./steps.js";

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

/** The processes an app has: its desired processes, its deployed version's, and any with series. */
async function processesOf(ctx: Ctx, app: string, metrics: MetricsService): Promise<Set<string>> {
  const [desired, rt] = await Promise.all([ctx.store.listAppProcesses(app), ctx.store.getAppRuntime(app)]);
  const out = new Set(desired.map((p) => p.process));
  if (rt.routableVersion) {
    const v = await ctx.store.findAppVersion(app, rt.routableVersion);
    for (const p of Object.keys(v?.processes ?? {})) out.add(p);
  }
  for (const p of await metrics.processesWithSeries(app)) out.add(p);
  return out;
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
    const known = await processesOf(ctx, app.name, metrics);
    if (!known.has(process))
      throw new BadRequestError(
        known.size
          ? `App "${app.name}" has no process "${clip(process)}": its processes are ${[...known].sort().join(", ")}.`
          : `App "${app.name}" has no process "${clip(process)}": it has not been deployed yet.`,
      );
  }
  return metrics.read(app.name, since, process || undefined);
}
