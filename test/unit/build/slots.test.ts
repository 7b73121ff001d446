// The per-node build cap: FIFO, visible places in line, cancellable waits, per-node isolation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BuildSlots, waitingLine } from "../../../src/build/slots.js";

const tick = () => new Promise((r) => setImmediate(r));

test("builds beyond the cap wait in order and are told their place as it changes", async () => {
  const slots = new BuildSlots(1);
  const r1 = await slots.acquire("n1");
  const waits: Record<string, number[]> = { b: [], c: [] };
  const order: string[] = [];
  const b = slots.acquire("n1", { onWait: (a) => waits.b!.push(a) }).then((rel) => (order.push("b"), rel));
  const c = slots.acquire("n1", { onWait: (a) => waits.c!.push(a) }).then((rel) => (order.push("c"), rel));
  await tick();
  assert.deepEqual(slots.usage("n1"), { running: 1, waiting: 2 });
  assert.deepEqual(order, [], "nobody runs while the slot is taken");
  r1();
  const rb = await b;
  await tick();
  assert.deepEqual(order, ["b"]);
  assert.deepEqual(waits, { b: [0], c: [1, 0] });
  rb();
  (await c)();
  assert.deepEqual(order, ["b", "c"]);
  assert.deepEqual(slots.usage("n1"), { running: 0, waiting: 0 });
});

test("the cap is per node: a full node does not hold up another", async () => {
  const slots = new BuildSlots(2);
  await slots.acquire("n1");
  await slots.acquire("n1");
  let waited = false;
  const other = await slots.acquire("n2", { onWait: () => (waited = true) });
  assert.equal(waited, false);
  assert.deepEqual(slots.usage("n1"), { running: 2, waiting: 0 });
  other();
});

test("an aborted wait gives up its place, rejects with the signal's reason, and moves the others up", async () => {
  const slots = new BuildSlots(1);
  const r1 = await slots.acquire("n1");
  const ac = new AbortController();
  const cWaits: number[] = [];
  const b = slots.acquire("n1", {}, ac.signal);
  const c = slots.acquire("n1", { onWait: (a) => cWaits.push(a) });
  ac.abort(new Error("deploy cancelled"));
  await assert.rejects(b, /deploy cancelled/);
  assert.deepEqual(cWaits, [1, 0]);
  r1();
  (await c)();
  assert.deepEqual(slots.usage("n1"), { running: 0, waiting: 0 });
  await assert.rejects(
    slots.acquire("n1", {}, ac.signal),
    /deploy cancelled/,
    "an already aborted signal never queues",
  );
});

test("releasing twice frees only one slot", async () => {
  const slots = new BuildSlots(1);
  const r1 = await slots.acquire("n1");
  const b = slots.acquire("n1");
  const c = slots.acquire("n1");
  r1();
  r1();
  await b;
  assert.deepEqual(slots.usage("n1"), { running: 1, waiting: 1 }, "c still waits");
  void c;
});

test("a cap below 1 is refused", () => {
  assert.throws(() => new BuildSlots(0), /at least 1/);
  assert.throws(() => new BuildSlots(1.5), /at least 1/);
});

test("the waiting line names the node and the builds ahead", () => {
  assert.equal(waitingLine("n1", 2), "waiting for a build slot on n1: 2 builds ahead");
  assert.equal(waitingLine("n1", 1), "waiting for a build slot on n1: 1 build ahead");
  assert.equal(waitingLine("n1", 0), "waiting for a build slot on n1: next in line");
});
