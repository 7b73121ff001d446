// Events a dead server left running. Deploys are settled first, then the rest closed as failed.
// A deploy whose route switch committed serves its new version: the version is ready and
// counted (both commit with the switch), only the old units' drain was cut short, and the
// startup reconciler removes those (units marked removing) before the server takes requests,
// so nothing can take the app's lock while they still exist. Its event ends as succeeded.
import type { EventRecord, Store } from "../store/types.js";

export const SERVED_AFTER_RESTART =
  "\n---- The server restarted after the route switch: this version serves; its old units are removed at restart ----\n";

/**
 * Ends as succeeded each running `app.deploy` event `isStale` picks whose version became the
 * app's routable version. Returns their ids; the caller closes the remaining stale events.
 */
export async function finishServedDeploys(
  store: Store,
  isStale: (e: EventRecord) => boolean,
): Promise<string[]> {
  const running = await store.listEvents({ running: true, kindNames: ["app.deploy"], limit: 1000 });
  const done: string[] = [];
  for (const e of running.filter(isStale)) {
    if (e.target.type !== "app") continue;
    const app = e.target.value;
    const v = (await store.listAppVersions(app)).find((x) => x.eventId === e.id);
    if (!v || v.status !== "ready") continue;
    if ((await store.getAppRuntime(app)).routableVersion !== v.version) continue;
    try {
      await store.appendEventLog(e.id, SERVED_AFTER_RESTART);
      await store.finishEvent(e.id, {});
      done.push(e.id);
    } catch {
      // Another server closed it first (PostgreSQL): it is ended either way.
    }
  }
  return done;
}

/**
 * Which running events no live server works on: on SQLite (one server, just restarted) all of
 * them; on PostgreSQL this instance's own (it restarted) and those whose heartbeat stopped.
 */
export type Abandoned = { all: true } | { instanceId?: string; heartbeatBefore: Date };

/**
 * Ends the abandoned events: deploys whose route switch committed as succeeded, every other
 * one as failed (which also releases its app's lock). Returns the ids of both kinds.
 */
export async function closeAbandonedEvents(
  store: Store,
  who: Abandoned,
): Promise<{ served: string[]; failed: string[] }> {
  const abandoned = (e: EventRecord) =>
    "all" in who || e.instanceId === who.instanceId || e.lockUpdateTime < who.heartbeatBefore;
  const served = await finishServedDeploys(store, abandoned);
  const failed =
    "all" in who
      ? await store.closeStaleEvents()
      : [
          ...(who.instanceId ? await store.closeStaleEvents({ instanceId: who.instanceId }) : []),
          ...(await store.closeStaleEvents({ heartbeatBefore: who.heartbeatBefore })),
        ];
  return { served, failed };
}
