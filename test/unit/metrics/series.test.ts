// The series ring (a slot per 10 s step, the last hour, stale slots read as gaps), the
// latency histogram's buckets and percentiles, and the merge of several routers' rows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SeriesRing } from "../../../src/metrics/ring.js";
import { STEP_S, WINDOW_S, stepOf, windowStart } from "../../../src/util/steps.js";
import {
  LATENCY_BUCKETS,
  addSparse,
  bucketMs,
  latencyBucket,
  quantileMs,
  toSparse,
} from "../../../src/util/latency.js";
import { mergeRouterRows } from "../../../src/metrics/router-merge.js";

const T = 1_700_000_000; // a step start

test("a value lands in the step holding its time; a later write to the step replaces it", () => {
  const r = new SeriesRing();
  r.set(T + 3, 1);
  r.set(T + 9.9, 2);
  r.set(T + 10, 3);
  assert.deepEqual(r.points(0, T + 20), [
    [T, 2],
    [T + 10, 3],
  ]);
  assert.equal(r.get(T + 5), 2);
  assert.equal(stepOf(T + 9.99), T);
});

test("the ring keeps one hour: points older than the window are gaps even where their slot was reused", () => {
  const r = new SeriesRing();
  for (let s = 0; s < 400; s++) r.set(T + s * STEP_S, s);
  const now = T + 399 * STEP_S;
  const pts = r.points(0, now);
  assert.equal(pts.length, WINDOW_S / STEP_S);
  assert.deepEqual(pts[0], [windowStart(now), 40]);
  assert.deepEqual(pts.at(-1), [now, 399]);
  // An hour later with no writes nothing is left, though every slot still holds a value.
  assert.deepEqual(r.points(0, now + WINDOW_S), []);
  assert.equal(r.live(now + WINDOW_S), false);
});

test("points start at the first step at or after since; missing steps stay gaps", () => {
  const r = new SeriesRing();
  r.set(T, 1);
  r.set(T + 30, 4);
  assert.deepEqual(r.points(T + 1, T + 40), [[T + 30, 4]]);
  assert.deepEqual(r.points(T, T + 40), [
    [T, 1],
    [T + 30, 4],
  ]);
  assert.equal(r.latest(T + 40, 30), 4);
  assert.equal(r.latest(T + 100, 30), undefined);
});

test("non-finite values are not stored", () => {
  const r = new SeriesRing();
  r.set(T, Number.NaN);
  r.set(T + 10, Number.POSITIVE_INFINITY);
  assert.deepEqual(r.points(0, T + 10), []);
});

test("latency buckets: 8 per doubling from 1 µs, a bucket's value within 4.5% of any duration in it", () => {
  assert.equal(latencyBucket(0), 0);
  assert.equal(latencyBucket(-1), 0);
  assert.equal(latencyBucket(3600), LATENCY_BUCKETS - 1);
  for (const ms of [0.05, 0.3, 1, 2.5, 7, 42, 120, 999, 5000]) {
    const b = latencyBucket(ms / 1000);
    assert.ok(Math.abs(bucketMs(b) - ms) / ms < 0.045, `${ms} ms → bucket ${b} = ${bucketMs(b)} ms`);
  }
  assert.ok(latencyBucket(0.002) > latencyBucket(0.001));
});

test("quantiles take the bucket of rank ceil(q × count)", () => {
  const h = new Float64Array(LATENCY_BUCKETS);
  for (let i = 1; i <= 100; i++) h[latencyBucket(i / 1000)]!++;
  const near = (a: number | undefined, b: number) =>
    assert.ok(a !== undefined && Math.abs(a - b) / b < 0.05, `${a} vs ${b}`);
  near(quantileMs(h, 0.5), 50);
  near(quantileMs(h, 0.99), 99);
  near(quantileMs(h, 1), 100);
  assert.equal(quantileMs(new Float64Array(LATENCY_BUCKETS), 0.5), undefined);
  const one = new Float64Array(LATENCY_BUCKETS);
  one[latencyBucket(0.004)] = 1;
  near(quantileMs(one, 0.99), 4);
});

test("sparse histograms round-trip and ignore pairs that are not bucket counts", () => {
  const h = new Uint32Array(LATENCY_BUCKETS);
  h[3] = 2;
  h[100] = 7;
  const sparse = toSparse(h);
  assert.deepEqual(sparse, [
    [3, 2],
    [100, 7],
  ]);
  const into = new Float64Array(LATENCY_BUCKETS);
  addSparse(into, [...sparse, [-1, 5], [LATENCY_BUCKETS, 1], [4, Number.NaN], [5, -2], "x" as never]);
  assert.deepEqual(toSparse(into), sparse);
});

test("router rows of one step are summed across routers before rates and percentiles", () => {
  const fast = latencyBucket(0.001);
  const slow = latencyBucket(0.2);
  const steps = mergeRouterRows([
    { app: "a", ts: T, requests: 99, errors: 1, latency: [[fast, 99]] },
    { app: "a", ts: T, requests: 1, errors: 1, latency: [[slow, 1]] },
    { app: "b", ts: T, requests: 0, errors: 0, latency: [] },
    { app: "a", ts: T + 10, requests: 20, errors: 0, latency: [[fast, 20]] },
  ]);
  assert.deepEqual(
    steps.map((s) => [s.app, s.ts]),
    [
      ["a", T],
      ["b", T],
      ["a", T + 10],
    ],
  );
  const a = steps[0]!.values;
  assert.equal(a.requests, 10);
  assert.equal(a.errors, 0.2);
  assert.ok(Math.abs(a.latency_p50_ms! - 1) < 0.05);
  // The 100th request of 100 is the slow one: p99 (rank 99) is still fast, not a mean of p99s.
  assert.ok(Math.abs(a.latency_p99_ms! - 1) < 0.05);
  assert.deepEqual(steps[1]!.values, { requests: 0, errors: 0 });
  assert.equal(steps[2]!.values.requests, 2);
});
