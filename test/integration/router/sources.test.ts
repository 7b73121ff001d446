import { test } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../../src/store/index.js";
import {
  ManualRouteSource,
  StoreRouteSource,
  ROUTE_CHANGE_KIND,
  ROUTE_RESYNC_KIND,
} from "../../../src/router/index.js";
import type { RouteSnapshot, RouteUpdate } from "../../../src/router/index.js";
import { backendOf, get, startBackend, startRouter } from "./helpers.js";

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("a router follows the store's change feed: snapshot first, then pushed updates within 50 ms", async () => {
  const store = await openStore({ kind: "sqlite", path: ":memory:" });
  const b1 = await startBackend("s1");
  const b2 = await startBackend("s2");
  let snap: RouteSnapshot = { apps: [{ app: "feed", backends: [backendOf(b1)] }] };
  const source = new StoreRouteSource({ feed: store, loadSnapshot: async () => snap, resyncIntervalMs: 0 });
  const router = await startRouter();
  await source.start(router);
  assert.equal((await get(router.port, "feed.wharf.test")).body, "s1");

  const ups: RouteUpdate[] = [
    { op: "remove-backend", app: "feed", id: "s1" },
    { op: "add-backend", app: "feed", backend: backendOf(b2) },
  ];
  const t0 = performance.now();
  await store.appendChange(ROUTE_CHANGE_KIND, ups);
  const v = router.table.version;
  await until(() => router.table.version > v);
  const ms = performance.now() - t0;
  assert.ok(ms < 50, `applied after ${ms.toFixed(1)} ms`);
  assert.equal((await get(router.port, "feed.wharf.test")).body, "s2");

  // Changes of other kinds are ignored; a resync change reloads the full snapshot.
  await store.appendChange("app.updated", { name: "feed" });
  snap = { apps: [{ app: "other", backends: [backendOf(b1)] }] };
  await store.appendChange(ROUTE_RESYNC_KIND, {});
  await until(() => router.table.app("other") !== undefined);
  assert.equal(router.table.app("feed"), undefined);

  await source.stop();
  await router.close();
  await store.close();
  await Promise.all([b1.close(), b2.close()]);
});

test("a router whose source cannot load keeps its last table and resyncs when the feed returns", async () => {
  const b1 = await startBackend("k1");
  const router = await startRouter();
  router.snapshot({ apps: [{ app: "keep", backends: [backendOf(b1)] }] });
  let up = false;
  const errors: unknown[] = [];
  const feed = {
    latestChangeSeq: async () => {
      if (!up) throw new Error("store unreachable");
      return 0;
    },
    subscribeChanges: async () => ({ close: async () => undefined }),
  };
  const source = new StoreRouteSource({
    feed,
    loadSnapshot: async () => ({
      apps: [{ app: "keep", backends: [backendOf(b1)], cnames: ["back.example"] }],
    }),
    retryMs: 20,
    resyncIntervalMs: 0,
    onError: (e) => errors.push(e),
  });
  const started = source.start(router);
  await until(() => errors.length >= 2);
  assert.equal((await get(router.port, "keep.wharf.test")).body, "k1", "still serving the last table");
  up = true;
  await started;
  assert.equal((await get(router.port, "back.example")).body, "k1", "resynced from the snapshot");
  await source.stop();
  await router.close();
  await b1.close();
});

test("a manual source buffers updates until started, then pushes snapshot and updates", async () => {
  const b1 = await startBackend("m1");
  const src = new ManualRouteSource();
  src.update([{ op: "add-backend", app: "man", backend: backendOf(b1) }]);
  const router = await startRouter();
  await src.start(router);
  assert.equal((await get(router.port, "man.wharf.test")).body, "m1");
  src.snapshot({ apps: [] });
  assert.equal((await get(router.port, "man.wharf.test")).status, 404);
  await router.close();
  await b1.close();
});
