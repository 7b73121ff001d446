// `since` and CPU targets as users write them: durations, unix seconds and RFC 3339 times;
// percentages of one core and milli-cores; anything else a 400 sentence saying the forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSince } from "../../../src/metrics/app-metrics.js";
import { parseCpuTarget } from "../../../src/autoscale/spec.js";

const NOW = 1_700_000_000;

test("since: empty is an hour ago; durations count back; unix seconds and RFC 3339 are taken as they are", () => {
  assert.equal(parseSince("", NOW), NOW - 3600);
  assert.equal(parseSince("15m", NOW), NOW - 900);
  assert.equal(parseSince("90s", NOW), NOW - 90);
  assert.equal(parseSince("1h", NOW), NOW - 3600);
  assert.equal(parseSince("1699999000", NOW), 1_699_999_000);
  assert.equal(parseSince("2023-11-14T22:13:20Z", NOW), NOW);
  for (const bad of ["yesterday", "-5m", "15 minutes", "2023-13-45T00:00:00Z", "1e9"])
    assert.throws(() => parseSince(bad, NOW), /"since" must be a time/, bad);
});

test("CPU targets: 60% and 60 are percent of one core, 600m milli-cores; 0, over 100% and words are refused", () => {
  assert.equal(parseCpuTarget("60%"), 60);
  assert.equal(parseCpuTarget("60"), 60);
  assert.equal(parseCpuTarget("750m"), 75);
  assert.equal(parseCpuTarget("12.5%"), 12.5);
  assert.equal(parseCpuTarget(""), null);
  assert.throws(() => parseCpuTarget("0%"), /out of range/);
  assert.throws(() => parseCpuTarget("1500m"), /out of range/);
  assert.throws(() => parseCpuTarget("half"), /Invalid CPU target "half"/);
});
