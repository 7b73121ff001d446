// The dry run that decides whether rescheduling a lost node's units can start, against a
// real (in-memory) store and the real scheduler: no healthy room → 0 with the scheduler's
// reason; a healthy node of the pool → the units that fit, each unit already on it (and
// each one placed before) charged its plan's memory.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../../../src/store/index.js";
import type { DockerCtx } from "../../../../src/provision/docker/context.js";
import { addNode, addUnit, openWebStore } from "./store-fixtures.js";
import { placeable } from "../../../../src/provision/docker/heal/heal-node.js";
import { lostUnits } from "../../../../src/provision/docker/heal/heal-plan.js";

const A = "https://10.0.0.1:2376";
const B = "https://10.0.0.2:2376";
const GiB = 2 ** 30;
let store: Store;

const health = (state: "healthy" | "unhealthy") => ({
  state,
  failures: 0,
  lastSuccess: null,
  lastError: "",
  lastErrorAt: null,
  since: new Date(),
});

before(async () => {
  store = await openWebStore();
  await addNode(store, A, 4 * GiB);
  await addNode(store, B, GiB);
  await addUnit(store, "u1", A);
  await addUnit(store, "u2", A);
  await addUnit(store, "u3", B);
  await store.setNodeHealth(A, health("unhealthy"));
  await store.setNodeHealth(B, health("unhealthy"));
});

after(async () => {
  await store?.close();
});

const dc = () => ({ store }) as unknown as DockerCtx;

describe("rescheduling dry run", () => {
  it("no healthy node in the pool: nothing fits, and the scheduler says why", async () => {
    const lost = lostUnits(await store.listNodes(), await store.listUnits()).get("web")!;
    assert.deepEqual(
      lost.map((u) => u.id),
      ["u1", "u2", "u3"],
    );
    const r = await placeable(dc(), "web", lost);
    assert.equal(r.n, 0);
    assert.match(r.reason, /healthy/i);
  });

  it("a healthy node too small for the plan: still nothing fits", async () => {
    await store.setNodeHealth(B, health("healthy"));
    await store.updateNode(B, { memory: GiB / 2 });
    const lost = lostUnits(await store.listNodes(), await store.listUnits()).get("web")!;
    assert.equal(lost.length, 2);
    const r = await placeable(dc(), "web", lost);
    assert.equal(r.n, 0);
    assert.ok(r.reason, "a reason is given");
  });

  it("units already on the healthy node reserve their plan memory: only the room left is offered", async () => {
    // 2 GiB (+5% overcommit) holds u3's 1 GiB and one more 1 GiB unit, not two.
    await store.updateNode(B, { memory: 2 * GiB });
    const lost = lostUnits(await store.listNodes(), await store.listUnits()).get("web")!;
    const r = await placeable(dc(), "web", lost);
    assert.equal(r.n, 1);
    assert.match(r.reason, /no resources available/);
  });

  it("a healthy node big enough: every lost unit fits", async () => {
    await store.updateNode(B, { memory: 8 * GiB });
    const lost = lostUnits(await store.listNodes(), await store.listUnits()).get("web")!;
    assert.equal((await placeable(dc(), "web", lost)).n, 2);
  });
});
