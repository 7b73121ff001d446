// How many more units a process may get: the app's unit quota (tsuru's app quota counts
// units) and what the scheduler can place on the pool now (a dry run of the same placement a
// unit add makes, so "room" means exactly what the add would find).
import type { DeployCtx } from "../deploy/context.js";
import { loadClusterView, placeUnits } from "../provision/docker/placement.js";
import type { App } from "../store/types.js";

export interface Room {
  /** More units the app's quota allows (null = unlimited). */
  quotaFree: number | null;
  /** More units the pool's nodes can place, counted up to `upTo`. */
  poolFree: number;
  /** The scheduler's sentence for the first unit that did not fit ("" when all did). */
  poolReason: string;
}

export async function roomFor(dc: DeployCtx, app: App, process: string, upTo: number): Promise<Room> {
  const store = dc.ctx.store;
  const units = (await store.listUnits({ app: app.name })).filter((u) => u.status !== "removing");
  const quotaFree = app.quota.limit < 0 ? null : Math.max(0, app.quota.limit - units.length);
  const state = await loadClusterView(store);
  const plan = await store.getPlan(app.plan);
  const { constraints } = await store.getAppRuntime(app.name);
  const req = { app: app.name, process, pool: app.pool, memory: plan.memory, constraints };
  let poolFree = 0;
  let poolReason = "";
  for (; poolFree < upTo; poolFree++) {
    try {
      // placeUnits commits each placement to `state`, so the next probe sees it.
      placeUnits(state, req, [`${app.name}-${process}-probe${poolFree}`]);
    } catch (err) {
      poolReason = (err as Error).message;
      break;
    }
  }
  return { quotaFree, poolFree, poolReason };
}
