import assert from "node:assert/strict";
import { it } from "node:test";
import { RunWhen } from "../../../src/reconcile/run-when.js";

function fakeLoop() {
  const calls: string[] = [];
  return {
    calls,
    start: () => void calls.push("start"),
    stop: async () => void calls.push("stop"),
  };
}

it("a gated loop starts only once every condition holds, in whichever order they arrive", async () => {
  const loop = fakeLoop();
  const gate = new RunWhen(loop, ["listening", "leading"]);
  await gate.set("leading", true);
  assert.deepEqual(loop.calls, [], "leading alone (not listening yet) does not start it");
  await gate.set("listening", true);
  assert.deepEqual(loop.calls, ["start"]);
  await gate.set("listening", true);
  assert.deepEqual(loop.calls, ["start"], "a condition set twice starts it once");
});

it("a gated loop stops when any condition goes and starts again when it returns", async () => {
  const loop = fakeLoop();
  const gate = new RunWhen(loop, ["listening", "leading"]);
  await gate.set("listening", true);
  await gate.set("leading", true);
  await gate.set("leading", false);
  assert.deepEqual(loop.calls, ["start", "stop"], "losing the leadership stops it");
  await gate.set("leading", false);
  assert.deepEqual(loop.calls, ["start", "stop"], "nothing to stop twice");
  await gate.set("leading", true);
  await gate.set("listening", false);
  assert.deepEqual(loop.calls, ["start", "stop", "start", "stop"]);
});
