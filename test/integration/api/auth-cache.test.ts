// The principal cache behind bearer authentication: it saves a store lookup per request but
// never outlives what it caches: a logout, a removed team token, or a token's expiry.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { call, harness, loginAs, world, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;
before(async () => {
  h = await harness();
  w = await world(h.app);
});
after(async () => h.close());

const info = (token: string) => call(h.app, "GET", "/1.0/users/info", { token });

test("a logged-out session token is refused on the very next request", async () => {
  const t = await loginAs(h.app, "alice@example.com", "secret-pw");
  assert.equal((await info(t)).status, 200);
  assert.equal((await info(t)).status, 200, "served from the cache");
  assert.equal((await call(h.app, "DELETE", "/1.0/users/tokens", { token: t })).status, 200);
  assert.equal((await info(t)).status, 401);
});

test("a removed team token is refused on the very next request", async () => {
  const r = await call(h.app, "POST", "/1.6/tokens", {
    token: w.alice,
    json: { token_id: "cache-ci", team: "blue" },
  });
  assert.equal(r.status, 201, r.body);
  const token = (r.json() as { token: string }).token;
  assert.equal((await call(h.app, "GET", "/1.0/apps", { token })).status, 200);
  assert.equal((await call(h.app, "DELETE", "/1.6/tokens/cache-ci", { token: w.alice })).status, 200);
  assert.equal((await call(h.app, "GET", "/1.0/apps", { token })).status, 401);
});

test("a cached token stops working at its expiry, not when the cache entry would lapse", async () => {
  const r = await call(h.app, "POST", "/1.6/tokens", {
    token: w.alice,
    json: { token_id: "short-ci", team: "blue", expires_in: 1 },
  });
  assert.equal(r.status, 201, r.body);
  const token = (r.json() as { token: string }).token;
  const realNow = h.app.ctx.now;
  const t0 = Date.now();
  h.app.ctx.now = () => new Date(t0);
  try {
    assert.equal((await call(h.app, "GET", "/1.0/apps", { token })).status, 200, "cached now");
    // 1.5 s later: past the token's expiry, within the cache's own lifetime.
    h.app.ctx.now = () => new Date(t0 + 1500);
    assert.equal((await call(h.app, "GET", "/1.0/apps", { token })).status, 401);
  } finally {
    h.app.ctx.now = realNow;
  }
});
