// The leader's periodic sweep of events a stopped server left running: it converges again only
// when it closed some, and a convergence that failed is retried without closing anything twice.
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { pino } from "pino";
import { openStore, type Store } from "../../../src/store/index.js";
import { LeaderWork, type LeaderWorkOptions } from "../../../src/server/leader-work.js";
import type { DeployCtx } from "../../../src/deploy/context.js";

let store: Store;

beforeEach(async () => {
  store = await openStore({ kind: "sqlite", path: ":memory:" });
});

afterEach(async () => {
  await store.close();
});

/** LeaderWork with its reconcilers replaced by a record of the calls (and a lead that can fail). */
class Recorded extends LeaderWork {
  calls: string[] = [];
  failLead = false;
  constructor() {
    super({
      dc: { ctx: { store } } as unknown as DeployCtx,
      log: pino({ level: "silent" }),
    } as LeaderWorkOptions);
  }
  protected override async startReconcilers(): Promise<void> {
    this.calls.push("lead");
    if (this.failLead) throw new Error("store down");
  }
  protected override async stopReconcilers(): Promise<void> {
    this.calls.push("yield");
  }
}

const abandonedEvent = (instanceId: string) =>
  store.createEvent({
    kind: { type: "permission", name: "app.update" },
    target: { type: "app", value: "a" },
    owner: { type: "user", name: "a@b.c" },
    lock: true,
    instanceId,
  });

const future = () => new Date(Date.now() + 1000);

it("the sweep leaves the reconcilers alone when no event was abandoned, or when this server does not lead", async () => {
  const w = new Recorded();
  await w.sweepAbandoned(future(), () => true);
  const e = await abandonedEvent("gone");
  await w.sweepAbandoned(future(), () => false);
  assert.deepEqual(w.calls, []);
  assert.equal((await store.getEvent(e.id)).running, true, "a follower closes nothing");
});

it("after closing an abandoned event the leader stops and restarts its reconcilers, and retries a failed restart", async () => {
  const w = new Recorded();
  const e = await abandonedEvent("gone");
  w.failLead = true;
  await w.sweepAbandoned(future(), () => true);
  assert.equal((await store.getEvent(e.id)).running, false);
  assert.deepEqual(w.calls, ["yield", "lead"]);
  w.failLead = false;
  await w.sweepAbandoned(future(), () => true);
  assert.deepEqual(w.calls, ["yield", "lead", "lead"], "the failed lead is retried, without a second yield");
  await w.sweepAbandoned(future(), () => true);
  assert.deepEqual(w.calls, ["yield", "lead", "lead"], "nothing more once it succeeded");
});
