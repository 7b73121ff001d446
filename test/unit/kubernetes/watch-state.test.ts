// Several watches (a rollout waits on three) reported as one state: the worst of them,
// so one lost connection is not hidden by two live ones.
import assert from "node:assert/strict";
import { test } from "node:test";
import { combinedWatchState, type WatchState } from "../../../src/cluster/kubernetes/watch.js";

const live: WatchState = { kind: "live" };
const reconnecting: WatchState = { kind: "reconnecting", failures: 1, error: "ECONNRESET" };
const lost: WatchState = { kind: "lost", since: new Date(0), failures: 3, error: "cannot be reached" };

test("all live is live; one still starting keeps the whole starting", () => {
  assert.equal(combinedWatchState([live, live, live]).kind, "live");
  assert.equal(combinedWatchState([live, { kind: "starting" }, live]).kind, "starting");
});

test("one reconnecting or lost watch is the state of the whole, with its error", () => {
  assert.deepEqual(combinedWatchState([live, reconnecting, live]), reconnecting);
  assert.deepEqual(combinedWatchState([reconnecting, lost, live]), lost);
});

test("stopped watches count for nothing: all stopped is stopped", () => {
  assert.equal(combinedWatchState([{ kind: "stopped" }, live]).kind, "live");
  assert.equal(combinedWatchState([{ kind: "stopped" }, { kind: "stopped" }]).kind, "stopped");
  assert.equal(combinedWatchState([]).kind, "stopped");
});
