// Closing the events a stopped server left running: which ones count as abandoned, and a deploy
// whose route switch committed ending as succeeded rather than failed.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { openStore, type Store } from "../../../src/store/index.js";
import { closeAbandonedEvents, SERVED_AFTER_RESTART } from "../../../src/deploy/interrupted.js";

let store: Store;

beforeEach(async () => {
  store = await openStore({ kind: "sqlite", path: ":memory:" });
  await store.createTeam({ name: "devs", creatorEmail: "a@b.c" });
  await store.createPool({ name: "main", isDefault: true });
  await store.createPlatform({ name: "node" });
  await store.createPlan({
    name: "p",
    memory: 2 ** 28,
    swap: 0,
    cpuMilli: 0,
    cpuShare: 100,
    isDefault: true,
  });
  for (const name of ["a1", "b1", "b2"])
    await store.createApp({
      name,
      platform: "node",
      plan: "p",
      pool: "main",
      teamOwner: "devs",
      owner: "a@b.c",
    });
});

afterEach(async () => {
  await store.close();
});

const deployOf = (app: string, instanceId: string) =>
  store.createEvent({
    kind: { type: "permission", name: "app.deploy" },
    target: { type: "app", value: app },
    owner: { type: "user", name: "a@b.c" },
    lock: true,
    instanceId,
  });

describe("closing abandoned events", () => {
  it("takes this instance's events and those with a stale heartbeat, and leaves a live server's running", async () => {
    const mine = await deployOf("a1", "me");
    const other = await deployOf("b1", "other");
    // Nothing is older than the epoch: only this instance's own event is abandoned.
    const r1 = await closeAbandonedEvents(store, { instanceId: "me", heartbeatBefore: new Date(0) });
    assert.deepEqual(r1, { served: [], failed: [mine.id] });
    assert.equal((await store.getEvent(mine.id)).running, false);
    assert.equal((await store.getEvent(other.id)).running, true, "a live server's deploy keeps running");
    // Once the other server's heartbeat is older than the threshold, the leader's sweep takes it.
    const r2 = await closeAbandonedEvents(store, { heartbeatBefore: new Date(Date.now() + 1000) });
    assert.deepEqual(r2, { served: [], failed: [other.id] });
    const closed = await store.getEvent(other.id);
    assert.equal(closed.running, false);
    assert.notEqual(closed.error, "", "a closed deploy that did not switch its routes ends as failed");
    await deployOf("b1", "someone"); // the app's lock went with the event
  });

  it("ends a deploy whose version became routable as succeeded, and every running event on SQLite", async () => {
    const served = await deployOf("b1", "gone");
    const v = await store.createAppVersion({
      app: "b1",
      origin: "app-deploy",
      message: "",
      owner: "a@b.c",
      eventId: served.id,
    });
    await store.updateAppVersion("b1", v.version, { status: "ready" });
    await store.setRoutableVersion("b1", v.version);
    const cut = await deployOf("b2", "gone");
    const r = await closeAbandonedEvents(store, { all: true });
    assert.deepEqual(r, { served: [served.id], failed: [cut.id] });
    const ok = await store.getEvent(served.id);
    assert.equal(ok.running, false);
    assert.equal(ok.error, "");
    assert.ok(ok.log.includes(SERVED_AFTER_RESTART), "its log says why it ended as succeeded");
  });
});
