// Draining a node (`node update --disable`, `node remove` with rebalance): its units move to
// the pool's other nodes without a failed request. Per app, under the app's lock: the
// replacements start and pass their healthcheck, the routes switch to them in one
// transaction (the old units marked removing), then the old units get the drain time for
// requests in flight, SIGTERM and removal (retireUnits). A crash at any point leaves either
// the old units serving (replacements not switched in are discarded by the reconciler and
// the healer drains again) or the new ones (old units marked removing are finished off).
import type { StoreOps, UnitRecord } from "../../../store/types.js";
import { ServiceUnavailableError } from "../../../domain/errors.js";
import type { DockerCtx } from "../context.js";
import { retireUnits } from "../launch.js";
import { loadClusterView, planMemoryByApp } from "../placement.js";
import { planDrain } from "../../../scheduler/index.js";
import { launchReplacements } from "./heal-launch.js";
import { healHistory } from "./heal-plan.js";
import { type HealEvent, withHealEvent } from "./app-queue.js";

/** Unit states a drain moves: started ones, and those a running operation is starting. */
const MOVABLE: UnitRecord["status"][] = ["created", "starting", "started"];

export interface DrainAppResult {
  moved: number;
  /** Units that stay on the node for now, and why. */
  left: number;
  reason: string;
}

/**
 * Run under the app's lock: moves the app's started units off `nodes` (disabled nodes).
 * Units the scheduler cannot place elsewhere stay where they are and keep serving.
 */
export async function drainApp(
  dc: DockerCtx,
  app: string,
  nodes: ReadonlySet<string>,
  ev: HealEvent,
  signal?: AbortSignal,
): Promise<DrainAppResult> {
  const store = dc.store;
  const result: DrainAppResult = { moved: 0, left: 0, reason: "" };
  const a = await store.findApp(app);
  if (!a) return result;
  const olds = (await store.listUnits({ app, status: ["started"] })).filter((u) => nodes.has(u.node));
  if (olds.length === 0) return result;
  const rt = await store.getAppRuntime(app);
  // Units of an unreachable node cannot be stopped: their rows go, and their containers
  // with them if the node ever returns registered (the orphan sweep).
  const down = new Set(
    (await store.listNodes()).filter((n) => n.health.state === "unhealthy").map((n) => n.address),
  );
  const out = (line: string) => void ev.log(line).catch(() => undefined);
  const r = await launchReplacements(
    dc,
    { app: a, restartGen: rt.restartGen, out, ...(signal ? { signal } : {}) },
    olds,
    rt.routableVersion,
  );
  const switched = r.pairs;
  result.left = r.short + r.orphaned.length;
  result.reason =
    r.reason || (r.orphaned.length ? `their version is gone; redeploy ${app} to move them` : "");
  if (switched.length === 0) return result;
  await store.tx(async (t) => {
    for (const { old, fresh } of switched) {
      await t.updateUnit(fresh.id, {
        status: "started",
        routable: fresh.process === "web",
        ...healHistory(old),
      });
      if (down.has(old.node)) await t.deleteUnit(old.id);
      else await t.updateUnit(old.id, { status: "removing", routable: false });
    }
  });
  for (const { old, fresh } of switched)
    await ev.log(`unit ${old.id} [${old.process}] moved from ${old.node} to ${fresh.node} as ${fresh.id}`);
  await retireUnits(
    dc,
    switched.filter((s) => !down.has(s.old.node)).map((s) => ({ ...s.old, status: "removing" as const })),
    out,
  );
  result.moved = switched.length;
  return result;
}

/** Units still on the node that a drain has to move. */
export async function unitsOn(store: Pick<StoreOps, "listUnits">, node: string): Promise<UnitRecord[]> {
  return store.listUnits({ node, status: MOVABLE });
}

/**
 * The dry run `node remove` makes before touching anything: every unit of the node is
 * placed again with the node disabled. Throws a 503 naming the first unit that fits nowhere.
 */
export async function checkDrain(dc: DockerCtx, address: string): Promise<number> {
  const store = dc.store;
  const units = await unitsOn(store, address);
  if (units.length === 0) return 0;
  const state = await loadClusterView(store);
  const apps = new Map((await store.listApps()).map((a) => [a.name, a]));
  const memory = planMemoryByApp([...apps.values()], await store.listPlans());
  const constraints = new Map<string, string[]>();
  for (const app of new Set(units.map((u) => u.app)))
    constraints.set(app, (await store.getAppRuntime(app)).constraints);
  const plan = planDrain(
    state,
    address,
    (c) => ({
      app: c.app ?? "",
      process: c.process ?? "",
      pool: apps.get(c.app ?? "")?.pool ?? "",
      memory: memory.get(c.app ?? "") || undefined,
      constraints: constraints.get(c.app ?? "") ?? [],
    }),
    { strategy: "spread" },
  );
  const stuck = plan.stuck.filter((s) => units.some((u) => u.id === s.unitId));
  if (stuck.length) {
    const first = units.find((u) => u.id === stuck[0]!.unitId)!;
    throw new ServiceUnavailableError(
      `Cannot move ${stuck.length} of the ${units.length} units of node ${address} to other nodes ` +
        `(unit ${first.id} of app ${first.app}: ${stuck[0]!.error.message}). Nothing was changed: add a node ` +
        `or free room in pool ${apps.get(first.app)?.pool ?? ""}, or remove the node with --no-rebalance to leave its units where they are.`,
    );
  }
  return units.length;
}

export interface DrainNodeOptions {
  instanceId: string;
  /** Give up after this long (the node stays disabled; running `node remove` again resumes). */
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Moves every unit off a disabled node, app by app under each app's lock (an app busy with
 * a deploy is retried until it is free; the healer may move some of them meanwhile).
 * Resolves once no unit is left on the node.
 */
export async function drainNode(
  dc: DockerCtx,
  address: string,
  say: (line: string) => Promise<void>,
  o: DrainNodeOptions,
): Promise<void> {
  const store = dc.store;
  const deadline = Date.now() + o.timeoutMs;
  const told = new Set<string>();
  for (;;) {
    const left = await unitsOn(store, address);
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new ServiceUnavailableError(
        `${left.length} unit(s) are still on node ${address} after ${Math.round(o.timeoutMs / 1000)} s ` +
          `(apps ${[...new Set(left.map((u) => u.app))].join(", ")} busy or without room elsewhere). ` +
          "The node stays disabled and takes no new units: run node remove again to finish.",
      );
    for (const app of new Set(left.filter((u) => u.status === "started").map((u) => u.app))) {
      const r = await withHealEvent(
        store,
        { app, instanceId: o.instanceId, data: { cause: "node-drain", nodes: [address] } },
        (ev) => drainApp(dc, app, new Set([address]), ev, o.signal),
      );
      if (!r) {
        if (!told.has(app)) await say(`app ${app} is busy (another operation holds it): waiting`);
        told.add(app);
        continue;
      }
      if (r.value.moved) await say(`moved ${r.value.moved} unit(s) of ${app} off ${address}`);
      if (r.value.left && r.value.reason)
        await say(`${r.value.left} unit(s) of ${app} wait: ${r.value.reason}`);
    }
    await new Promise((res) => setTimeout(res, o.pollMs ?? 500));
  }
}
