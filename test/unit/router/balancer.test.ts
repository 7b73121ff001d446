import { test } from "node:test";
import assert from "node:assert/strict";
import { pick, recordFailure, recordSuccess } from "../../../src/router/balancer.js";
import type { UpstreamBackend } from "../../../src/router/upstream.js";

function ub(id: string, extra: Partial<UpstreamBackend> = {}): UpstreamBackend {
  return {
    id,
    outstanding: 0,
    failures: 0,
    ejectedUntil: 0,
    healthy: true,
    closed: false,
    ...extra,
  } as UpstreamBackend;
}

test("spreads equal backends round-robin", () => {
  const bs = [ub("a"), ub("b"), ub("c")];
  const counts = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const p = pick(bs, 0)!;
    counts.set(p.id, (counts.get(p.id) ?? 0) + 1);
  }
  assert.deepEqual([...counts.values()], [100, 100, 100]);
});

test("prefers the backend with the fewest outstanding requests", () => {
  const bs = [ub("busy", { outstanding: 5 }), ub("idle"), ub("some", { outstanding: 1 })];
  for (let i = 0; i < 10; i++) assert.equal(pick(bs, 0)!.id, "idle");
});

test("skips ejected, unhealthy, closed and already-tried backends", () => {
  const now = 1000;
  const ok = ub("ok");
  const bs = [
    ub("ej", { ejectedUntil: 2000 }),
    ub("sick", { healthy: false }),
    ub("gone", { closed: true }),
    ok,
  ];
  for (let i = 0; i < 10; i++) assert.equal(pick(bs, now)!.id, "ok");
  assert.notEqual(pick(bs, now, [ok])?.id, "ok");
});

test("when every backend is ejected, still tries one (panic mode) but never a tried or closed one", () => {
  const a = ub("a", { ejectedUntil: 5000 });
  const c = ub("c", { closed: true });
  assert.equal(pick([a, c], 0)!.id, "a");
  assert.equal(pick([a, c], 0, [a]), undefined);
  assert.equal(pick([], 0), undefined);
});

test("ejects after N consecutive failures, and one success re-admits", () => {
  const b = ub("x");
  const opts = { maxFailures: 3, ejectMs: 1000 };
  assert.equal(recordFailure(b, 0, opts), false);
  assert.equal(recordFailure(b, 0, opts), false);
  assert.equal(recordFailure(b, 0, opts), true);
  assert.equal(b.ejectedUntil, 1000);
  assert.equal(recordFailure(b, 10, opts), false, "already ejected: not counted twice");
  assert.equal(pick([b, ub("y")], 500)!.id, "y");
  // After the cool-down it is picked again; success resets it.
  assert.equal(pick([b], 1500)!.id, "x");
  recordSuccess(b);
  assert.equal(b.failures, 0);
  assert.equal(b.ejectedUntil, 0);
});
