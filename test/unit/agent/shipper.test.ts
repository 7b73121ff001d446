// The agent's log shipping: lines go out in batches with one request at a time, stay
// queued while the API fails, and a full backlog drops the oldest lines and counts them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LogShipper } from "../../../src/agent/shipper.js";
import type { AgentLogLine } from "../../../src/agent/protocol.js";

const lines = (from: number, n: number): AgentLogLine[] =>
  Array.from({ length: n }, (_, i) => ({
    unit: "u1",
    stream: "stdout" as const,
    time: "2024-01-01T00:00:00Z",
    message: `m${from + i}`,
  }));

test("queued lines go out in order, in batches of at most maxBatch, one request at a time", async () => {
  const sent: string[][] = [];
  let inFlight = 0;
  const s = new LogShipper({
    maxBatch: 3,
    flushMs: 60_000,
    send: async (batch) => {
      inFlight++;
      assert.equal(inFlight, 1);
      sent.push(batch.map((l) => l.message));
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { accepted: batch.length, duplicates: 0, rejected: 0 };
    },
  });
  s.push(lines(0, 2));
  s.push(lines(2, 5));
  await s.flush();
  s.stop();
  assert.deepEqual(sent.flat(), ["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
  assert.ok(sent.every((b) => b.length <= 3));
  assert.equal(s.backlog, 0);
});

test("a failed send keeps the lines for the next try", async () => {
  let fail = true;
  const sent: string[] = [];
  const errors: unknown[] = [];
  const s = new LogShipper({
    flushMs: 60_000,
    send: async (batch) => {
      if (fail) throw new Error("api away");
      sent.push(...batch.map((l) => l.message));
      return { accepted: batch.length, duplicates: 0, rejected: 0 };
    },
    onError: (e) => errors.push(e),
  });
  s.push(lines(0, 3));
  await s.flush();
  assert.equal(s.backlog, 3);
  assert.equal(errors.length, 1);
  fail = false;
  await s.flush();
  s.stop();
  assert.deepEqual(sent, ["m0", "m1", "m2"]);
});

test("a full backlog drops the oldest lines and counts them", async () => {
  const s = new LogShipper({
    maxBacklog: 4,
    flushMs: 60_000,
    send: async () => ({ accepted: 0, duplicates: 0, rejected: 0 }),
  });
  s.push(lines(0, 3));
  s.push(lines(3, 3));
  s.stop();
  assert.equal(s.backlog, 4);
  assert.equal(s.dropped, 2);
});
