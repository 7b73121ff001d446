import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore } from "../../../../src/store/index.js";
import { AppQueue, recordHealEvent, withHealEvent } from "../../../../src/provision/docker/heal/app-queue.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("healing serialization", () => {
  it("jobs of one app run one at a time in order; another app's job does not wait", async () => {
    const q = new AppQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = q.run("a", async () => {
      log.push("a1 start");
      await gate;
      log.push("a1 end");
    });
    const a2 = q.run("a", async () => {
      log.push("a2");
    });
    const b1 = q.run("b", async () => {
      log.push("b1");
    });
    await b1;
    await tick();
    assert.deepEqual(log, ["a1 start", "b1"]);
    assert.equal(q.busy("a"), true);
    release();
    await Promise.all([a1, a2]);
    assert.deepEqual(log, ["a1 start", "b1", "a1 end", "a2"]);
    await q.idle();
    assert.equal(q.busy("a"), false);
  });

  it("a failing job does not stop the next one of the same app", async () => {
    const q = new AppQueue();
    await assert.rejects(
      q.run("a", async () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await q.run("a", async () => 7), 7);
  });

  it("a heal gives way to a deploy holding the app's lock, and holds the lock itself while it runs", async () => {
    const store = await openStore({ kind: "sqlite", path: ":memory:" });
    try {
      const deploy = await store.createEvent({
        kind: { type: "permission", name: "app.deploy" },
        target: { type: "app", value: "web" },
        owner: { type: "user", name: "a@b.c" },
        lock: true,
        instanceId: "me",
      });
      let ran = false;
      const spec = { app: "web", instanceId: "me", data: { cause: "test" } };
      assert.equal(
        await withHealEvent(store, spec, async () => {
          ran = true;
        }),
        undefined,
      );
      assert.equal(ran, false);
      await store.finishEvent(deploy.id, {});
      const r = await withHealEvent(store, spec, async (ev) => {
        await ev.log("healing");
        const held = await store.listEvents({ running: true, targetValue: "web" });
        assert.deepEqual(
          held.map((e) => e.kind.name),
          ["healer"],
        );
        return 42;
      });
      assert.deepEqual(r, { value: 42 });
      const [last] = await store.listEvents({ kindNames: ["healer"], limit: 1 });
      assert.equal(last!.running, false);
      assert.match(last!.log, /healing/);
    } finally {
      await store.close();
    }
  });

  it("a heal that throws ends its event with the error; a no-capacity record is a finished event with an error", async () => {
    const store = await openStore({ kind: "sqlite", path: ":memory:" });
    try {
      const spec = { app: "web", instanceId: "me", data: {} };
      await assert.rejects(
        withHealEvent(store, spec, async () => {
          throw new Error("no image");
        }),
        /no image/,
      );
      await recordHealEvent(store, { ...spec, log: "cannot place", error: "no healthy capacity" });
      const evs = await store.listEvents({ kindNames: ["healer"] });
      assert.deepEqual(evs.map((e) => [e.running, e.error]).sort(), [
        [false, "no healthy capacity"],
        [false, "no image"],
      ]);
    } finally {
      await store.close();
    }
  });
});
