// Shared event, lock and change-feed tests.
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import {
  type Change,
  ConflictError,
  LockedError,
  type NewEvent,
  NotFoundError,
  type Store,
} from "../../../../src/store/index.js";
import { EVENT_ID_RE } from "../../../../src/store/ids.js";
import type { Backend, TestDatabase } from "./backend.js";

const deploy = (app: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  kind: { type: "permission", name: "app.deploy" },
  target: { type: "app", value: app },
  owner: { type: "user", name: "alice@example.com" },
  lock: true,
  instanceId: "server-a",
  ...extra,
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function eventTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("events: create, log, finish, get, typed errors", async () => {
    const e = await store.createEvent(deploy("web", { cancelable: true, startCustomData: { image: "v1" } }));
    assert.match(e.id, EVENT_ID_RE);
    assert.equal(e.running, true);
    assert.deepEqual(e.startCustomData, { image: "v1" });
    await store.appendEventLog(e.id, "step 1\n");
    await store.appendEventLog(e.id, "step 2\n");
    await store.updateEventCancel(e.id, {
      asked: true,
      reason: "user",
      owner: "bob",
      startTime: new Date(5),
    });
    const done = await store.finishEvent(e.id, { error: "failed", endCustomData: { n: 1 } });
    assert.equal(done.running, false);
    assert.equal(done.log, "step 1\nstep 2\n");
    assert.equal(done.error, "failed");
    assert.ok(done.endTime);
    assert.deepEqual(done.endCustomData, { n: 1 });
    assert.equal(done.cancelInfo.asked, true);
    assert.equal(done.cancelInfo.startTime?.getTime(), 5);
    await assert.rejects(store.finishEvent(e.id), ConflictError);
    await assert.rejects(store.getEvent("0".repeat(24)), NotFoundError);
    await assert.rejects(store.appendEventLog("0".repeat(24), "x"), NotFoundError);
  });

  it("events: list filters match tsuru's (kind, target, owner, running, since/until, limit/skip, allowed)", async () => {
    const t0 = Date.now() - 10_000;
    const mk = (i: number, e: Partial<NewEvent>) =>
      store.createEvent(deploy(`app${i}`, { lock: false, startTime: new Date(t0 + i * 1000), ...e }));
    const e0 = await mk(0, {});
    await mk(1, { kind: { type: "permission", name: "app.create" } });
    const e2 = await mk(2, { owner: { type: "user", name: "bob@example.com" } });
    await mk(3, { kind: { type: "internal", name: "healer" }, owner: { type: "internal", name: "" } });
    await store.finishEvent(e0.id, { error: "bad" });
    await store.finishEvent(e2.id);
    const ids = async (f: Parameters<Store["listEvents"]>[0]) =>
      (await store.listEvents(f)).map((e) => e.target.value);
    assert.deepEqual(await ids({}), ["app3", "app2", "app1", "app0"]);
    assert.deepEqual(await ids({ kindNames: ["app.deploy", "app.create"] }), ["app2", "app1", "app0"]);
    assert.deepEqual(await ids({ targetType: "app", targetValue: "app1" }), ["app1"]);
    assert.deepEqual(await ids({ ownerName: "bob@example.com" }), ["app2"]);
    assert.deepEqual(await ids({ running: true }), ["app3", "app1"]);
    assert.deepEqual(await ids({ running: false }), ["app2", "app0"]);
    assert.deepEqual(await ids({ errorOnly: true }), ["app0"]);
    assert.deepEqual(await ids({ kindType: "internal" }), ["app3"]);
    assert.deepEqual(await ids({ since: new Date(t0 + 1000), until: new Date(t0 + 2000) }), ["app2", "app1"]);
    assert.deepEqual(await ids({ limit: 2, skip: 1 }), ["app2", "app1"]);
    assert.deepEqual(
      await ids({ allowed: { targets: [{ type: "app", value: "app1" }], ownerNames: ["bob@example.com"] } }),
      ["app2", "app1"],
    );
    assert.deepEqual(await ids({ allowed: { targets: [] } }), []);
  });

  it("locks: a running event locks its target; LockedError names the holder; finishing frees it", async () => {
    const holder = await store.createEvent(deploy("web"));
    const err = await store.createEvent(deploy("web", { owner: { type: "user", name: "bob" } })).then(
      () => assert.fail("expected LockedError"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof LockedError);
    assert.equal(err.holder.id, holder.id);
    assert.match(err.message, new RegExp(holder.id));
    assert.equal((await store.listEvents()).length, 1, "the refused event is not recorded");
    // Unlocked events and other targets are unaffected.
    await store.createEvent(deploy("web", { lock: false }));
    await store.createEvent(deploy("other"));
    // Extra targets can lock too.
    await assert.rejects(
      store.createEvent(
        deploy("third", { extraTargets: [{ target: { type: "app", value: "web" }, lock: true }] }),
      ),
      LockedError,
    );
    assert.equal(await store.findEvent(holder.id).then((e) => e?.running), true);
    await store.finishEvent(holder.id);
    const next = await store.createEvent(deploy("web"));
    assert.equal(next.running, true);
  });

  it("locks: 20 parallel attempts on one target from two instances, exactly one wins", async () => {
    const other = await db.open();
    try {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? other : store).createEvent(deploy("web", { owner: { type: "user", name: `u${i}` } })),
      );
      const results = await Promise.allSettled(attempts);
      const won = results.filter((r) => r.status === "fulfilled");
      assert.equal(won.length, 1);
      const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value.id;
      for (const r of results) {
        if (r.status === "rejected") {
          assert.ok(r.reason instanceof LockedError, String(r.reason));
          assert.equal(r.reason.holder.id, winner);
        }
      }
      assert.equal((await store.listEvents({ running: true })).length, 1);
    } finally {
      await other.close();
    }
  });

  it("locks: events locking the same two targets in opposite orders never deadlock", async () => {
    const other = await db.open();
    try {
      const a = { type: "app", value: "a" };
      const b = { type: "node", value: "b" };
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : store).createEvent(
            deploy("x", {
              target: i % 2 ? a : b,
              extraTargets: [{ target: i % 2 ? b : a, lock: true }],
            }),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results)
        if (r.status === "rejected") assert.ok(r.reason instanceof LockedError, String(r.reason));
    } finally {
      await other.close();
    }
  });

  it("stale events: closed with an error on start, locks released; by instance or heartbeat", async () => {
    const a = await store.createEvent(deploy("web", { instanceId: "server-a" }));
    const b = await store.createEvent(
      deploy("api", { instanceId: "server-b", startTime: new Date(Date.now() - 60_000) }),
    );
    const c = await store.createEvent(deploy("db", { instanceId: "server-c" }));
    await store.touchRunningEvents("server-c", new Date(Date.now() + 60_000));
    // Simulated crash: the process goes away without finishing anything.
    await store.close();
    store = await db.open();
    assert.deepEqual(await store.closeStaleEvents({ instanceId: "server-a" }), [a.id]);
    const closed = await store.getEvent(a.id);
    assert.equal(closed.running, false);
    assert.equal(closed.error, "server restarted while this operation was running");
    assert.ok(closed.endTime);
    await store.createEvent(deploy("web", { instanceId: "server-new" }));
    assert.deepEqual(await store.closeStaleEvents({ heartbeatBefore: new Date(Date.now() - 30_000) }), [
      b.id,
    ]);
    assert.equal((await store.getEvent(c.id)).running, true);
    const all = await store.closeStaleEvents();
    assert.equal(all.length, 2);
    assert.deepEqual(await store.listEvents({ running: true }), []);
  });

  it("changes: strictly increasing seq, rollback invisible, subscribers get every change in order", async () => {
    const first = await store.appendChange("route.add", { app: "a", n: 0 });
    const seen: Change[] = [];
    const sub = await store.subscribeChanges((c) => void seen.push(c), { fromSeq: 0, pollIntervalMs: 100 });
    const other = await db.open();
    const seenOther: Change[] = [];
    const subOther = await other.subscribeChanges((c) => void seenOther.push(c), { pollIntervalMs: 100 });
    try {
      await assert.rejects(
        store.tx(async (t) => {
          await t.appendChange("route.add", { app: "ghost" });
          throw new Error("rollback");
        }),
      );
      const seqs = [first];
      for (let i = 1; i < 10; i++) seqs.push(await store.appendChange("route.add", { app: "a", n: i }));
      // Concurrent appenders (both instances) must still be seen in seq order, none skipped.
      const parallel = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).appendChange("route.rm", { i })),
      );
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!);
      await waitFor(() => seen.length === 20 && seenOther.length === 19);
      assert.deepEqual(
        seen.map((c) => c.seq),
        [...seqs, ...parallel].sort((x, y) => x - y),
      );
      assert.deepEqual(
        seenOther.map((c) => c.seq),
        seen.slice(1).map((c) => c.seq),
      );
      assert.ok(!seen.some((c) => (c.payload as { app?: string }).app === "ghost"));
      assert.deepEqual(seen[0]?.payload, { app: "a", n: 0 });
      assert.equal(await store.latestChangeSeq(), seen.at(-1)?.seq);
      assert.deepEqual(
        (await store.changesSince(seqs[8]!)).map((c) => c.seq),
        seen.slice(9).map((c) => c.seq),
      );
      const latest = await store.latestChangeSeq();
      await store.pruneChanges(latest);
      assert.equal(await store.latestChangeSeq(), latest, "pruning keeps the newest seq");
      assert.ok((await store.appendChange("x", null)) > latest);
    } finally {
      await sub.close();
      await subOther.close();
      await other.close();
    }
  });
}
