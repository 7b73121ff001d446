// tsuru's node-healing-info/update/delete (healer settings per pool, pool "" holding the defaults)
// and healing-list (what the healer did, from its events).
import type { EventRecord } from "../../store/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import { effectiveHealing, healingView, type HealingConfig, type HealingView } from "../healing.js";
import { clip } from "../names.js";
import { poolContext } from "../permissions.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import { authorize, can, type Principal } from "./principal.js";
import { ZERO_TIME } from "./tokens.js";

export const HEALING_FIELDS = ["Enabled", "MaxUnresponsiveTime", "MaxTimeSinceSuccess"] as const;
export type HealingField = (typeof HEALING_FIELDS)[number];

/** node-healing-info: "" (the defaults) and every pool with settings of its own that you may read. */
export async function healingInfo(
  ctx: Ctx,
  p: Principal,
  defaults: HealingConfig,
): Promise<Record<string, HealingView>> {
  authorize(p, "healing.read");
  const records = await ctx.store.listPoolHealing();
  const out: Record<string, HealingView> = { "": healingView(effectiveHealing("", records, defaults)) };
  for (const r of records)
    if (r.pool !== "" && can(p, "healing.read", poolContext(r.pool)))
      out[r.pool] = healingView(effectiveHealing(r.pool, records, defaults));
  return out;
}

const MAX_SECONDS = 7 * 24 * 3600;

function seconds(raw: string | null, field: string): number | null {
  if (raw === null) return null;
  if (!/^\d{1,7}$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > MAX_SECONDS)
    throw new BadRequestError(
      `Invalid ${field} "${clip(raw)}": give a whole number of seconds from 1 to ${MAX_SECONDS}.`,
    );
  return Number(raw);
}

async function checkPool(ctx: Ctx, p: Principal, pool: string): Promise<void> {
  authorize(p, "healing.update", pool ? poolContext(pool) : []);
  if (pool && !(await ctx.store.findPool(pool))) throw new NotFoundError(`Pool "${clip(pool)}" not found.`);
}

/** node-healing-update: the fields given are set, the others kept. */
export async function updateHealing(
  ctx: Ctx,
  p: Principal,
  f: {
    pool: string;
    enabled: boolean | null;
    maxUnresponsive: string | null;
    maxSinceSuccess: string | null;
  },
): Promise<void> {
  await checkPool(ctx, p, f.pool);
  const unresp = seconds(f.maxUnresponsive, "MaxUnresponsiveTime");
  const since = seconds(f.maxSinceSuccess, "MaxTimeSinceSuccess");
  if (f.enabled === null && unresp === null && since === null)
    throw new BadRequestError(
      "Nothing to change: give --enable, --disable, --max-unresponsive or --max-unsuccessful.",
    );
  const cur = (await ctx.store.listPoolHealing()).find((r) => r.pool === f.pool);
  await withEvent(
    ctx.store,
    p,
    {
      kind: "healing.update",
      target: { type: "pool", value: f.pool },
      data: { enabled: f.enabled, unresp, since },
    },
    { instanceId: ctx.settings.instanceId },
    () =>
      ctx.store.setPoolHealing({
        pool: f.pool,
        enabled: f.enabled ?? cur?.enabled ?? null,
        maxUnresponsiveSeconds: unresp ?? cur?.maxUnresponsiveSeconds ?? null,
        maxSinceSuccessSeconds: since ?? cur?.maxSinceSuccessSeconds ?? null,
      }),
  );
}

/** node-healing-delete: the named fields (all when none) go back to being inherited. */
export async function deleteHealing(ctx: Ctx, p: Principal, pool: string, names: string[]): Promise<void> {
  await checkPool(ctx, p, pool);
  for (const n of names)
    if (!HEALING_FIELDS.some((f) => f.toLowerCase() === n.toLowerCase()))
      throw new BadRequestError(`Unknown healing setting "${clip(n)}": use ${HEALING_FIELDS.join(", ")}.`);
  const drop = (f: HealingField) =>
    names.length === 0 || names.some((n) => n.toLowerCase() === f.toLowerCase());
  const cur = (await ctx.store.listPoolHealing()).find((r) => r.pool === pool);
  await withEvent(
    ctx.store,
    p,
    { kind: "healing.update", target: { type: "pool", value: pool }, data: { removed: names } },
    { instanceId: ctx.settings.instanceId },
    () =>
      ctx.store.setPoolHealing({
        pool,
        enabled: drop("Enabled") ? null : (cur?.enabled ?? null),
        maxUnresponsiveSeconds: drop("MaxUnresponsiveTime") ? null : (cur?.maxUnresponsiveSeconds ?? null),
        maxSinceSuccessSeconds: drop("MaxTimeSinceSuccess") ? null : (cur?.maxSinceSuccessSeconds ?? null),
      }),
  );
}

/** tsuru's healer.HealingEvent, from one of Wharf's healer events. */
export interface HealingEventView {
  ID: string;
  StartTime: string;
  EndTime: string;
  Action: "node-healing" | "container-healing";
  Reason: string;
  Extra: unknown;
  FailingNode: { Address: string; Metadata: Record<string, string>; Status: string; Pool: string };
  CreatedNode: { Address: string; Metadata: Record<string, string>; Status: string; Pool: string };
  FailingContainer: { ID: string; AppName: string; ProcessName: string; HostAddr: string };
  CreatedContainer: { ID: string; AppName: string; ProcessName: string; HostAddr: string };
  Successful: boolean;
  Error: string;
}

const noNode = { Address: "", Metadata: {}, Status: "", Pool: "" };
const noUnit = { ID: "", AppName: "", ProcessName: "", HostAddr: "" };

function healingEventView(e: EventRecord): HealingEventView {
  const d = (e.startCustomData ?? {}) as {
    cause?: string;
    unit?: string;
    process?: string;
    node?: string;
    nodes?: string[];
  };
  const container = d.cause === "unit-down";
  const node = d.node ?? d.nodes?.[0] ?? "";
  return {
    ID: e.id,
    StartTime: e.startTime.toISOString(),
    EndTime: e.endTime ? e.endTime.toISOString() : ZERO_TIME,
    Action: container ? "container-healing" : "node-healing",
    Reason: d.cause ?? "",
    Extra: { app: e.target.value },
    FailingNode: node && !container ? { ...noNode, Address: node } : noNode,
    CreatedNode: noNode,
    FailingContainer: container
      ? { ID: d.unit ?? "", AppName: e.target.value, ProcessName: d.process ?? "", HostAddr: node }
      : noUnit,
    CreatedContainer: noUnit,
    Successful: !e.running && e.error === "",
    Error: e.error,
  };
}

export async function healingList(ctx: Ctx, p: Principal, filter: string): Promise<HealingEventView[]> {
  authorize(p, "healing.read");
  if (filter !== "" && filter !== "node" && filter !== "container")
    throw new BadRequestError(`Invalid filter "${clip(filter)}": use node, container or nothing.`);
  const events = await ctx.store.listEvents({ kindType: "internal", kindNames: ["healer"], limit: 200 });
  const out = events.map(healingEventView);
  return filter ? out.filter((e) => e.Action === `${filter}-healing`) : out;
}
