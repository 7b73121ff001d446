// Swarm's BuildContainerConfig (swarm-classic.md §2.1) as the endpoint applies it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { extractExpressions, SWARM_LABELS } from "../../../src/dockerapi/expressions.js";

test("env entries keyed constraint/affinity/reschedule/whitelist leave Env and land in the labels, label values first", () => {
  const r = extractExpressions(
    ["A=1", "constraint:zone==b", "affinity:container==web1", "reschedule:on-node-failure", "B=constraint:x"],
    { [SWARM_LABELS.constraints]: '["node==n1"]', keep: "me" },
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.env, ["A=1", "B=constraint:x"]);
  assert.deepEqual(r.value.exprs.constraints, ["node==n1", "zone==b"]);
  assert.deepEqual(r.value.exprs.affinities, ["container==web1"]);
  assert.equal(r.value.exprs.reschedule, "on-node-failure");
  assert.equal(r.value.labels[SWARM_LABELS.constraints], '["node==n1","zone==b"]');
  assert.equal(r.value.labels[SWARM_LABELS.reschedule], '["on-node-failure"]');
  assert.equal(r.value.labels["keep"], "me");
  assert.equal(r.value.labels[SWARM_LABELS.whitelists], undefined);
});

test("reschedule policies: off by default, one at most, only off or on-node-failure (Swarm's texts)", () => {
  const none = extractExpressions([], {});
  assert.ok(none.ok);
  assert.equal(none.value.exprs.reschedule, "off");
  const two = extractExpressions(["reschedule:off"], { [SWARM_LABELS.reschedule]: '["on-node-failure"]' });
  assert.deepEqual(two, { ok: false, error: "too many reschedule policies" });
  const bad = extractExpressions([], { [SWARM_LABELS.reschedule]: '["false"]' });
  assert.deepEqual(bad, { ok: false, error: "invalid reschedule policy: false" });
});

test("an expression label that is not a JSON array of strings is refused with how to write it", () => {
  const r = extractExpressions([], { [SWARM_LABELS.affinities]: "container==web1" });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /must be a JSON array of strings/);
});
