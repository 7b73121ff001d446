// The bounded ring behind per-app log history: it holds the newest `capacity` items in
// order, and last(n, keep) is the newest n kept items, oldest first.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Ring } from "../../../src/logs/ring.js";

test("a ring keeps the newest items in order, whatever is pushed", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 80 }), (cap, items) => {
      const r = new Ring<number>(cap);
      for (const i of items) r.push(i);
      assert.deepEqual(r.toArray(), items.slice(-cap));
      assert.equal(r.size, Math.min(cap, items.length));
    }),
  );
});

test("last(n, keep) is the newest n matching items, oldest first", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 20 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 60 }),
      fc.integer({ min: 0, max: 25 }),
      (cap, items, n) => {
        const r = new Ring<number>(cap);
        for (const i of items) r.push(i);
        const even = (x: number) => x % 2 === 0;
        const model = items.slice(-cap).filter(even);
        assert.deepEqual(r.last(n, even), n === 0 ? [] : model.slice(-n));
      },
    ),
  );
});

test("a ring needs room for one item at least", () => {
  assert.throws(() => new Ring(0), /capacity/);
});
