import { test } from "node:test";
import assert from "node:assert/strict";
import { PassLoop } from "../../../src/util/pass-loop.js";

/** A pass that records overlaps and finishes when told. */
function gatedPass() {
  let inFlight = 0;
  let maxInFlight = 0;
  let runs = 0;
  const gates: (() => void)[] = [];
  const pass = async (): Promise<void> => {
    runs++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((r) => gates.push(r));
    inFlight--;
  };
  const open = async (): Promise<void> => {
    while (!gates.length) await new Promise((r) => setImmediate(r));
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { pass, open, stats: () => ({ runs, maxInFlight, inFlight }) };
}

const never = () => 60_000;
const unexpected = (err: unknown) => assert.fail(`unexpected pass error: ${String(err)}`);

test("kicks during a pass coalesce into exactly one more pass, never overlapping", async () => {
  const g = gatedPass();
  const loop = new PassLoop(g.pass, never, unexpected);
  loop.start();
  for (let i = 0; i < 5; i++) loop.kick();
  await g.open();
  await g.open();
  await loop.idle();
  assert.deepEqual(g.stats(), { runs: 2, maxInFlight: 1, inFlight: 0 });
  await loop.stop();
});

test("a failed pass is reported and the loop keeps going", async () => {
  const errors: unknown[] = [];
  let runs = 0;
  const loop = new PassLoop(
    async () => {
      runs++;
      if (runs === 1) throw new Error("engine away");
    },
    never,
    (err) => errors.push(err),
  );
  loop.start();
  await loop.idle();
  loop.kick();
  await loop.idle();
  assert.equal(runs, 2);
  assert.equal(errors.length, 1);
  await loop.stop();
});

test("the timer runs the next pass after the interval, and stop ends it", async () => {
  let runs = 0;
  const loop = new PassLoop(
    async () => void runs++,
    () => 5,
    unexpected,
  );
  loop.start();
  while (runs < 3) await new Promise((r) => setTimeout(r, 5));
  await loop.stop();
  const after = runs;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(runs, after, "no pass after stop");
  loop.kick();
  assert.equal(loop.busy, false, "kicks after stop are ignored");
});

test("exclusive work waits for the pass under way and no pass starts until it ends; its result and error reach the caller", async () => {
  const g = gatedPass();
  const loop = new PassLoop(g.pass, never, () => undefined);
  loop.start();
  let exclusiveInPass = -1;
  const done = loop.exclusive(async () => {
    exclusiveInPass = g.stats().inFlight;
    loop.kick(); // must wait for the exclusive work
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(g.stats().runs, 1, "no pass during the exclusive work");
    return 42;
  });
  await g.open();
  assert.equal(await done, 42);
  assert.equal(exclusiveInPass, 0, "the pass had finished when the exclusive work began");
  await g.open(); // the kick made during the exclusive work
  await loop.idle();
  assert.equal(g.stats().runs, 2);
  await assert.rejects(
    loop.exclusive(async () => {
      throw new Error("pull failed");
    }),
    /pull failed/,
  );
  await loop.stop();
});

test("two exclusive callers run one after the other", async () => {
  const loop = new PassLoop(
    async () => undefined,
    never,
    () => undefined,
  );
  let inFlight = 0;
  let max = 0;
  const work = async () => {
    inFlight++;
    max = Math.max(max, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
  };
  loop.start();
  await Promise.all([loop.exclusive(work), loop.exclusive(work), loop.exclusive(work)]);
  assert.equal(max, 1);
  await loop.stop();
});
