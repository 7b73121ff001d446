// Docker's log timestamps as the agent and the API read them: nanosecond precision kept,
// the `since` value that resumes a follow, and lines split into their time and text.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSinceParam, parseTimeNs, sinceParam, splitTimestamp } from "../../../src/agent/protocol.js";

test("RFC 3339 times keep their nanoseconds; offsets are applied; junk is null", () => {
  assert.equal(parseTimeNs("2024-01-02T03:04:05.123456789Z"), 1704164645123456789n);
  assert.equal(parseTimeNs("2024-01-02T03:04:05Z"), 1704164645000000000n);
  assert.equal(parseTimeNs("2024-01-02T04:04:05.5+01:00"), 1704164645500000000n);
  for (const bad of [
    "",
    "now",
    "2024-01-02 03:04:05Z",
    "2024-01-02T03:04:05.1234567890Z",
    "2024-13-40T03:04:05Z",
  ])
    assert.equal(parseTimeNs(bad), null, bad);
});

test("since values round-trip any time in nanoseconds", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 4_102_444_800_000_000_000n }), (ns) => {
      const s = sinceParam(ns);
      assert.match(s, /^\d+\.\d{9}$/);
      assert.equal(parseSinceParam(s), ns);
    }),
  );
});

test("a timestamped line splits into its time and its text (spaces in the text kept)", () => {
  const s = splitTimestamp("2024-01-02T03:04:05.000000001Z GET / 200  ok");
  assert.equal(s.time, "2024-01-02T03:04:05.000000001Z");
  assert.equal(s.ns, 1704164645000000001n);
  assert.equal(s.message, "GET / 200  ok");
  assert.equal(splitTimestamp("2024-01-02T03:04:05Z").message, "");
  assert.deepEqual(splitTimestamp("no time here"), { time: "", ns: null, message: "no time here" });
});
