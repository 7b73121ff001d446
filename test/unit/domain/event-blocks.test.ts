// Which active block stops a starting event, as tsuru 1.8's checkIsBlocked decides it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { blockedMessage, blockingEvent, blocks } from "../../../src/domain/event-blocks.js";
import type { EventBlockRecord } from "../../../src/store/types.js";

const block = (o: Partial<EventBlockRecord>): EventBlockRecord => ({
  id: "5d93463a1b0e8b0001a2b3c4",
  startTime: new Date(0),
  endTime: null,
  kindName: "",
  ownerName: "",
  target: { type: "", value: "" },
  reason: "freeze",
  active: true,
  ...o,
});
const ev = (kind: string, target = { type: "app", value: "web" }, owner = "a@b.io") => ({
  kind,
  owner: { type: "user" as const, name: owner },
  target,
});

test("kinds match by prefix, owners by name, targets exactly or by type", () => {
  assert.ok(blocks(block({ kindName: "app.deploy" }), ev("app.deploy")));
  assert.ok(blocks(block({ kindName: "app" }), ev("app.update.env.set")));
  assert.ok(!blocks(block({ kindName: "app.deploy" }), ev("app.create")));
  assert.ok(blocks(block({ ownerName: "a@b.io" }), ev("app.deploy")));
  assert.ok(!blocks(block({ ownerName: "c@d.io" }), ev("app.deploy")));
  assert.ok(blocks(block({ target: { type: "app", value: "web" } }), ev("app.deploy")));
  assert.ok(blocks(block({ target: { type: "app", value: "" } }), ev("app.deploy")));
  assert.ok(!blocks(block({ target: { type: "app", value: "api" } }), ev("app.deploy")));
  assert.ok(!blocks(block({ target: { type: "node", value: "" } }), ev("app.deploy")));
  assert.ok(blocks(block({}), ev("anything")), "an empty block stops everything");
});

test("inactive blocks and events on blocks themselves are never stopped", () => {
  assert.ok(!blocks(block({ active: false }), ev("app.deploy")));
  assert.ok(!blocks(block({}), ev("event-block.remove", { type: "event-block", value: "x" })));
});

test("the first matching block names itself in tsuru's sentence", () => {
  const b = block({
    kindName: "app.deploy",
    target: { type: "app", value: "web" },
    reason: "release freeze",
  });
  assert.equal(blockingEvent([block({ kindName: "node" }), b], ev("app.deploy")), b);
  assert.equal(blockingEvent([block({ kindName: "node" })], ev("app.deploy")), null);
  assert.match(
    blockedMessage(b, ev("app.deploy")),
    /^error running "app\.deploy" on app\(web\): block app\.deploy by all users on app\(web\): release freeze \(an admin lifts it with tsuru event-block-remove 5d93463a1b0e8b0001a2b3c4\)$/,
  );
});
