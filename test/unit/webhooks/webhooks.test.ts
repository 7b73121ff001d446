// Which webhooks an event triggers (tsuru's FindByEvent), their bodies and signatures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  eventTargets,
  hookBody,
  hookMayHear,
  kindAndParents,
  matchesEvent,
  renderBody,
} from "../../../src/domain/webhooks.js";
import { signature } from "../../../src/webhooks/dispatcher.js";
import type { EventRecord, WebhookFilter } from "../../../src/store/types.js";

const filter = (o: Partial<WebhookFilter> = {}): WebhookFilter => ({
  targetTypes: [],
  targetValues: [],
  kindTypes: [],
  kindNames: [],
  errorOnly: false,
  successOnly: false,
  ...o,
});
const event = (o: Partial<EventRecord> = {}): EventRecord =>
  ({
    id: "5d93463a1b0e8b0001a2b3c4",
    kind: { type: "permission", name: "app.update.env.set" },
    target: { type: "app", value: "web" },
    extraTargets: [{ target: { type: "pool", value: "p1" }, lock: false }],
    owner: { type: "user", name: "a@b.io" },
    error: "",
    ...o,
  }) as EventRecord;

test("kind names match the event's kind and its dotted parents", () => {
  assert.deepEqual(kindAndParents("app.update.env.set"), [
    "app.update.env.set",
    "app",
    "app.update",
    "app.update.env",
  ]);
  assert.ok(matchesEvent(filter({ kindNames: ["app.update"] }), event()));
  assert.ok(!matchesEvent(filter({ kindNames: ["app.deploy"] }), event()));
});

test("each list is empty or holds one of the event's values; extra targets count", () => {
  assert.ok(matchesEvent(filter(), event()));
  assert.ok(matchesEvent(filter({ targetTypes: ["pool"], targetValues: ["p1"] }), event()));
  assert.ok(!matchesEvent(filter({ targetValues: ["api"] }), event()));
  assert.ok(!matchesEvent(filter({ kindTypes: ["internal"] }), event()));
});

test("error_only and success_only pick by the event's outcome", () => {
  assert.ok(!matchesEvent(filter({ errorOnly: true }), event()));
  assert.ok(matchesEvent(filter({ errorOnly: true }), event({ error: "boom" })));
  assert.ok(!matchesEvent(filter({ successOnly: true }), event({ error: "boom" })));
});

test("the body is the event as JSON for POST/PUT/PATCH, none for GET, or the template", () => {
  const view = { Kind: { Name: "app.deploy" }, Target: { Value: "web" }, Error: "" };
  assert.deepEqual(hookBody({ body: "", method: "POST" }, view), { body: JSON.stringify(view), json: true });
  assert.deepEqual(hookBody({ body: "", method: "get" }, view), { body: null, json: false });
  assert.equal(
    renderBody("{{.Kind.Name}} on {{ .Target.Value }}: {{.Nope}}", view),
    "app.deploy on web: <no value>",
  );
  assert.equal(
    renderBody("{{if .Error}}x{{end}}", view),
    "{{if .Error}}x{{end}}",
    "unsupported templates go as written",
  );
});

test("the signature is an HMAC-SHA256 of '<timestamp>.<body>'", () => {
  const want = createHmac("sha256", "s3cret").update("1700000000.{}").digest("hex");
  assert.equal(signature("s3cret", 1700000000, "{}"), `sha256=${want}`);
});

test("a team's hook hears events on what its team owns; one set up by an admin hears every event", () => {
  const teams = new Set(["blue"]);
  assert.equal(hookMayHear({ teamOwner: "blue", allEvents: false }, teams), true);
  assert.equal(hookMayHear({ teamOwner: "red", allEvents: false }, teams), false);
  assert.equal(hookMayHear({ teamOwner: "red", allEvents: true }, teams), true);
  assert.equal(hookMayHear({ teamOwner: "red", allEvents: false }, new Set()), false);
  assert.deepEqual(eventTargets(event()), [
    { type: "app", value: "web" },
    { type: "pool", value: "p1" },
  ]);
});
