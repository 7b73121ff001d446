// Container statuses from the node state cache, aged to the moment of the list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { humanDuration, parseHumanDuration, reagedStatus } from "../../../src/dockerapi/status.js";

test("humanDuration follows go-units' wording", () => {
  assert.equal(humanDuration(500), "Less than a second");
  assert.equal(humanDuration(1000), "1 second");
  assert.equal(humanDuration(42_000), "42 seconds");
  assert.equal(humanDuration(61_000), "About a minute");
  assert.equal(humanDuration(5 * 60_000), "5 minutes");
  assert.equal(humanDuration(3_600_000), "About an hour");
  assert.equal(humanDuration(5 * 3_600_000), "5 hours");
  assert.equal(humanDuration(3 * 86_400_000), "3 days");
});

test("parseHumanDuration reads back what humanDuration writes", () => {
  for (const ms of [0, 1000, 42_000, 5 * 60_000, 5 * 3_600_000])
    assert.equal(humanDuration(parseHumanDuration(humanDuration(ms))!), humanDuration(ms));
  assert.equal(parseHumanDuration("soon"), undefined);
});

test("Up, Exited and Restarting statuses age from when they were read; others stay", () => {
  const t = 1_000_000;
  assert.equal(reagedStatus("Up 5 seconds", t, t + 10_000), "Up 15 seconds");
  assert.equal(reagedStatus("Up Less than a second (healthy)", t, t + 120_000), "Up 2 minutes (healthy)");
  assert.equal(reagedStatus("Exited (137) 2 seconds ago", t, t + 3_000), "Exited (137) 5 seconds ago");
  assert.equal(reagedStatus("Up 3 minutes (Paused)", t, t), "Up 3 minutes (Paused)");
  assert.equal(reagedStatus("Created", t, t + 99_000), "Created");
});
