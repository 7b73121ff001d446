// The resume logic of the adapter's watches: a consumer sees every change once, in
// order, across cuts (replays dropped) and re-lists after 410 (what it missed derived).
import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffMs, WatchCursor } from "../../../src/cluster/kubernetes/watch-cursor.js";

const obj = (name: string, rv: string, uid = `uid-${name}`) => ({
  metadata: { name, namespace: "ns", uid, resourceVersion: rv },
});

test("the first list is all ADDED and sets the version to resume from", () => {
  const c = new WatchCursor();
  const events = c.relist([obj("a", "5"), obj("b", "6")], "7");
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.object.metadata?.name}`),
    ["ADDED a", "ADDED b"],
  );
  assert.equal(c.resourceVersion, "7");
});

test("events advance the version; a replayed event the consumer has is dropped", () => {
  const c = new WatchCursor();
  c.relist([obj("a", "5")], "5");
  assert.equal(c.apply("MODIFIED", obj("a", "8"))?.type, "MODIFIED");
  assert.equal(c.resourceVersion, "8");
  assert.equal(c.apply("MODIFIED", obj("a", "8")), undefined, "a replay after reconnect");
  assert.equal(c.apply("ADDED", obj("c", "9"))?.type, "ADDED");
  assert.equal(c.apply("DELETED", obj("c", "10"))?.type, "DELETED");
  assert.equal(c.apply("DELETED", obj("c", "10")), undefined, "deleting what is already gone");
  assert.equal(c.resourceVersion, "10");
});

test("a re-list after 410 yields exactly the changes missed: added, modified, deleted, re-created", () => {
  const c = new WatchCursor();
  c.relist([obj("keep", "1"), obj("change", "2"), obj("gone", "3"), obj("recreated", "4")], "4");
  const events = c.relist(
    [obj("keep", "1"), obj("change", "20"), obj("recreated", "21", "uid-new"), obj("new", "22")],
    "22",
  );
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.object.metadata?.name}`),
    ["MODIFIED change", "DELETED recreated", "ADDED recreated", "ADDED new", "DELETED gone"],
  );
  assert.equal(c.resourceVersion, "22");
  assert.deepEqual(
    c
      .objects()
      .map((o) => o.metadata?.name)
      .sort(),
    ["change", "keep", "new", "recreated"],
  );
});

test("an object first seen as MODIFIED (it entered a selector) is ADDED for the consumer", () => {
  const c = new WatchCursor();
  c.relist([], "1");
  assert.equal(c.apply("MODIFIED", obj("x", "2"))?.type, "ADDED");
});

test("bookmarks only move the version", () => {
  const c = new WatchCursor();
  c.relist([obj("a", "1")], "1");
  c.bookmark("50");
  assert.equal(c.resourceVersion, "50");
  assert.equal(c.size, 1);
});

test("back-off doubles from the initial delay and is capped", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 10].map((f) => backoffMs(f, 500, 5000)),
    [0, 500, 1000, 2000, 4000, 5000, 5000],
  );
});
