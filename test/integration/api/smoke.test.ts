import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { harness, call, world, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;
before(async () => {
  h = await harness();
  w = await world(h.app);
});
after(async () => h.close());

test("auth scheme is native and needs no token", async () => {
  const r = await call(h.app, "GET", "/1.0/auth/scheme");
  assert.equal(r.status, 200);
  assert.deepEqual(r.json(), { name: "native", data: null });
});

test("app list shows only the member's apps", async () => {
  const r = await call(h.app, "GET", "/1.0/apps?", { token: w.alice });
  assert.equal(r.status, 200, r.body);
  const names = (r.json() as { name: string }[]).map((a) => a.name);
  assert.deepEqual(names, ["blue-app"]);
  assert.ok(!r.body.includes("red"));
});
