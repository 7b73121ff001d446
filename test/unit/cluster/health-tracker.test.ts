import { test } from "node:test";
import assert from "node:assert/strict";
import { HealthTracker } from "../../../src/cluster/health/tracker.js";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

test("a new node is pending and turns healthy on its first success", () => {
  const h = new HealthTracker({ failureThreshold: 3 });
  h.track("n1", t0);
  assert.equal(h.get("n1")!.state, "pending");
  assert.deepEqual(h.recordSuccess("n1", at(1)), { node: "n1", from: "pending", to: "healthy", at: at(1) });
  assert.equal(h.recordSuccess("n1", at(2)), undefined, "no transition while already healthy");
});

test("a healthy node turns unhealthy at the failure threshold, not before", () => {
  const h = new HealthTracker({ failureThreshold: 3 });
  h.recordSuccess("n1", t0);
  assert.equal(h.recordFailure("n1", "refused", at(1)), undefined);
  assert.equal(h.recordFailure("n1", "refused", at(2)), undefined);
  const t = h.recordFailure("n1", "timeout", at(3));
  assert.deepEqual(t, { node: "n1", from: "healthy", to: "unhealthy", at: at(3), error: "timeout" });
  assert.equal(h.get("n1")!.lastError, "timeout");
  assert.equal(h.recordFailure("n1", "timeout", at(4)), undefined, "reported once");
});

test("any success resets the count: failures must be consecutive", () => {
  const h = new HealthTracker({ failureThreshold: 2 });
  h.recordSuccess("n1", t0);
  h.recordFailure("n1", "x", at(1));
  h.recordSuccess("n1", at(2));
  assert.equal(h.recordFailure("n1", "x", at(3)), undefined);
  assert.equal(h.get("n1")!.state, "healthy");
});

test("an unhealthy node returns to healthy on one success and keeps its last success time", () => {
  const h = new HealthTracker({ failureThreshold: 1 });
  h.recordSuccess("n1", t0);
  h.recordFailure("n1", "x", at(1));
  const t = h.recordSuccess("n1", at(5));
  assert.equal(t!.to, "healthy");
  assert.equal(h.get("n1")!.lastSuccess!.getTime(), at(5).getTime());
});

test("the health indicator follows Swarm: 100 - failures*100/threshold while healthy, 0 otherwise", () => {
  const h = new HealthTracker({ failureThreshold: 3 });
  h.recordSuccess("n1", t0);
  assert.equal(h.indicator("n1"), 100);
  h.recordFailure("n1", "x", at(1));
  assert.equal(h.indicator("n1"), 67);
  h.recordFailure("n1", "x", at(2));
  assert.equal(h.indicator("n1"), 34);
  h.recordFailure("n1", "x", at(3));
  assert.equal(h.indicator("n1"), 0);
  assert.equal(h.indicator("unknown"), 0);
});

test("a threshold below 1 is refused", () => {
  assert.throws(() => new HealthTracker({ failureThreshold: 0 }), /at least 1/);
});
