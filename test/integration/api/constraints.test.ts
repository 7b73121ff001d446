// App placement constraints through the API: validated with the scheduler's grammar (a bad
// expression is a 400 that says how to write one and stores nothing), readable by the
// app's team, hidden from other teams.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call, harness, world, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;
before(async () => {
  h = await harness();
  w = await world(h.app);
});
after(() => h.close());

const get = async (token: string) => call(h.app, "GET", "/1.0/apps/blue-app/constraints", { token });

test("the app's team sets and reads placement constraints", async () => {
  const r = await call(h.app, "PUT", "/1.0/apps/blue-app/constraints", {
    token: w.alice,
    form: { constraint: ["zone==a", "storagedriver==~overlay2"] },
  });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual((await get(w.alice)).json(), { constraints: ["zone==a", "storagedriver==~overlay2"] });
});

test("malformed constraints and unknown operators are 400s and change nothing", async () => {
  for (const bad of ["zone=a", "zone<>a", "==a", "zone==/(/"]) {
    const r = await call(h.app, "PUT", "/1.0/apps/blue-app/constraints", {
      token: w.alice,
      form: { constraint: ["zone==b", bad] },
    });
    assert.equal(r.status, 400, `${bad}: ${r.body}`);
    assert.match(r.body, /Invalid constraint/);
    assert.match(r.body, /key==value/);
  }
  assert.deepEqual((await get(w.alice)).json(), { constraints: ["zone==a", "storagedriver==~overlay2"] });
});

test("another team can neither read nor set the app's constraints", async () => {
  assert.equal((await get(w.bob)).status, 403);
  const r = await call(h.app, "PUT", "/1.0/apps/blue-app/constraints", {
    token: w.bob,
    form: { constraint: "x==y" },
  });
  assert.equal(r.status, 403);
});
