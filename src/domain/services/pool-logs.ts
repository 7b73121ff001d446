// tsuru's docker-log-info/update: the Docker log driver and options per pool (pool "" holds the
// default for every pool). Stored and served here; the provisioner applies them to units'
// containers once it reads them (with the provisioner redesign), so an update says so.
import type { PoolLogRecord } from "../../store/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import { contextsFor, poolContext } from "../permissions.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import { authorize, isGlobal, type Principal } from "./principal.js";

/** What units get when nothing is set (src/provision/docker/spec.ts). */
export const DEFAULT_LOG: { Driver: string; LogOpts: Record<string, string> } = {
  Driver: "json-file",
  LogOpts: { "max-file": "3", "max-size": "10m" },
};

/** Docker's own log drivers (plugins aside). */
const DRIVERS = [
  "json-file",
  "local",
  "journald",
  "syslog",
  "gelf",
  "fluentd",
  "awslogs",
  "splunk",
  "gcplogs",
  "logentries",
  "etwlogs",
  "none",
];
const OPT_KEY = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export type LogConfigMap = Record<string, { Driver: string; LogOpts: Record<string, string> }>;

const view = (r: PoolLogRecord) => ({ Driver: r.driver, LogOpts: r.opts });

/** tsuru shows the pools whose logs you may update; the "" default only to whoever may update all. */
export async function logSettings(ctx: Ctx, p: Principal): Promise<LogConfigMap> {
  const global = isGlobal(p, "pool.update.logs");
  const pools = new Set(
    contextsFor(p.permissions, "pool.update.logs")
      .filter((c) => c.type === "pool")
      .map((c) => c.value),
  );
  if (!global && pools.size === 0) authorize(p, "pool.update.logs");
  const out: LogConfigMap = global ? { "": DEFAULT_LOG } : {};
  for (const r of await ctx.store.listPoolLogSettings())
    if (global || pools.has(r.pool)) out[r.pool] = view(r);
  return out;
}

export async function setLogSettings(
  ctx: Ctx,
  p: Principal,
  f: { pool: string; driver: string; opts: Record<string, string>; restart: boolean },
  out: (line: string) => void,
): Promise<void> {
  authorize(p, "pool.update.logs", f.pool ? poolContext(f.pool) : []);
  if (f.pool && !(await ctx.store.findPool(f.pool)))
    throw new NotFoundError(`Pool "${clip(f.pool)}" not found.`);
  if (!f.driver)
    throw new BadRequestError("log driver is mandatory: give one with --log-driver (json-file, syslog, …).");
  if (f.driver === "bs")
    throw new BadRequestError(
      "Wharf has no bs log driver: its node agent (wharf node container add wharf-agent) forwards unit output; pick a Docker driver such as json-file.",
    );
  if (!DRIVERS.includes(f.driver))
    throw new BadRequestError(`Unknown log driver "${clip(f.driver)}": use one of ${DRIVERS.join(", ")}.`);
  const keys = Object.keys(f.opts);
  if (keys.length > 30) throw new BadRequestError("At most 30 log options.");
  for (const k of keys) {
    if (!OPT_KEY.test(k))
      throw new BadRequestError(
        `Invalid log option "${clip(k)}": use lowercase letters, digits, ".", "_" or "-".`,
      );
    const v = f.opts[k]!;
    if (v.length > 1024 || /[\r\n\0]/.test(v))
      throw new BadRequestError(`Invalid value for log option "${clip(k)}".`);
  }
  if (f.driver === "none" && keys.length)
    throw new BadRequestError('The "none" log driver takes no options: drop the --log-opt flags.');
  await withEvent(
    ctx.store,
    p,
    {
      kind: "pool.update.logs",
      target: { type: "pool", value: f.pool },
      data: { driver: f.driver, opts: f.opts },
    },
    { instanceId: ctx.settings.instanceId },
    async (h) => {
      await ctx.store.setPoolLogSettings({ pool: f.pool, driver: f.driver, opts: f.opts });
      const say = (line: string) => {
        out(line);
        void h.log(line).catch(() => undefined);
      };
      say(`Log settings of ${f.pool ? `pool ${f.pool}` : "every pool"} saved: ${f.driver}.\n`);
      say(
        "Units do not use per-pool log settings yet: Wharf's provisioner applies them once it reads them" +
          (f.restart ? ", so no unit was restarted.\n" : ".\n"),
      );
    },
  );
}
