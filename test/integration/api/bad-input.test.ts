// Client mistakes are 4xx with a sentence that says what to fix; never a 5xx.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { harness, call, world, type Harness, type World, type Res } from "./helpers.js";

let h: Harness;
let w: World;
before(async () => {
  h = await harness({ bodyLimit: 64 * 1024 });
  w = await world(h.app);
});
after(async () => h.close());

function sentence(r: Res, status: number, pattern?: RegExp): void {
  assert.equal(r.status, status, r.body);
  assert.match(String(r.headers["content-type"]), /^text\/plain/);
  assert.ok(r.body.endsWith("\n"));
  assert.ok(r.body.trim().length > 15, `a sentence, got ${JSON.stringify(r.body)}`);
  if (pattern) assert.match(r.body, pattern);
}

const appForm = (f: Record<string, string>) => ({
  name: "ok-app",
  platform: "python",
  plan: "",
  pool: "",
  teamOwner: "blue",
  description: "",
  router: "",
  routeropts: "",
  ...f,
});

test("invalid names are 400 and quote tsuru's rule", async () => {
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: appForm({ name: "Not_Valid" }) }),
    400,
    /lowercase letter/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: appForm({ name: "a".repeat(41) }) }),
    400,
    /40 characters/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/teams", { token: w.alice, json: { name: "has space" } }),
    400,
    /team name/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/pools", { token: w.admin, form: { name: "UPPER" } }),
    400,
    /pool name/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/platforms", { token: w.admin, form: { name: "py_thon" } }),
    400,
    /platform name/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/apps/blue-app/env", {
      token: w.alice,
      form: { "Envs.0.Name": "1BAD", "Envs.0.Value": "x" },
    }),
    400,
    /environment variable name/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/users", {
      token: w.admin,
      form: { email: "not-an-email", password: "secret-pw" },
    }),
    400,
    /email/i,
  );
  sentence(
    await call(h.app, "POST", "/1.0/users", {
      token: w.admin,
      form: { email: "ok@example.com", password: "123" },
    }),
    400,
    /Password/,
  );
});

test("unknown platform, plan, pool, team are 4xx naming what to run", async () => {
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: appForm({ platform: "cobol" }) }),
    400,
    /platform-list/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: appForm({ plan: "gigantic" }) }),
    400,
    /plan-list/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: appForm({ pool: "atlantis" }) }),
    404,
    /pool-list/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.admin, form: appForm({ teamOwner: "ghosts" }) }),
    404,
    /Team "ghosts" not found/,
  );
  sentence(await call(h.app, "PUT", "/1.0/apps/blue-app/teams/ghosts", { token: w.alice }), 404);
  sentence(await call(h.app, "GET", "/1.0/apps/nope-app", { token: w.alice }), 404);
  sentence(await call(h.app, "GET", "/1.1/events/zzz", { token: w.alice }), 400, /24 hex/);
});

test("missing fields are 400", async () => {
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: { platform: "python" } }),
    400,
    /app name/,
  );
  sentence(await call(h.app, "POST", "/1.0/teams", { token: w.alice, json: {} }), 400, /team name/);
  sentence(
    await call(h.app, "POST", "/1.0/apps/blue-app/env", { token: w.alice, form: { NoRestart: "" } }),
    400,
    /list of environment variables/,
  );
  sentence(await call(h.app, "POST", "/1.0/apps/blue-app/cname", { token: w.alice, form: {} }), 400, /cname/);
  sentence(await call(h.app, "POST", "/1.0/users/alice@example.com/tokens", { form: {} }), 400, /password/);
  sentence(
    await call(h.app, "PUT", "/1.3/constraints", { token: w.admin, form: { PoolExpr: "x", Field: "color" } }),
    400,
    /team, router, service or plan/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/plans", { token: w.admin, form: { name: "p", memory: "12X" } }),
    400,
    /memory/,
  );
  sentence(
    await call(h.app, "PUT", "/1.0/apps/blue-app/quota", { token: w.alice, form: { limit: "lots" } }),
    400,
    /integer/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/pools", { token: w.admin, form: { name: "pp", default: "maybe" } }),
    400,
    /true or false/,
  );
});

test("oversize bodies are 413", async () => {
  const big = "x".repeat(200 * 1024);
  sentence(
    await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: appForm({ description: big }) }),
    413,
    /too large/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/teams", { token: w.alice, json: { name: big } }),
    413,
    /too large/,
  );
});

test("malformed JSON, form and multipart are 4xx", async () => {
  const json = { "content-type": "application/json" };
  sentence(
    await call(h.app, "POST", "/1.0/teams", { token: w.alice, headers: json, payload: "{not json" }),
    400,
    /Malformed JSON/,
  );
  sentence(
    await call(h.app, "POST", "/1.0/teams", { token: w.alice, headers: json, payload: "[1,2]" }),
    400,
    /JSON object/,
  );
  sentence(await call(h.app, "POST", "/1.0/teams", { token: w.alice, headers: json, payload: '"str"' }), 400);
  sentence(await call(h.app, "POST", "/1.0/teams", { token: w.alice, headers: json, payload: "" }), 400);
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const r = await call(h.app, "POST", "/1.0/teams", {
    token: w.alice,
    headers: form,
    payload: "%%%=%zz&name=%E0%A4%A",
  });
  assert.ok(r.status >= 400 && r.status < 500, r.body);
  const mp = { "content-type": "multipart/form-data; boundary=XYZ" };
  const m1 = await call(h.app, "POST", "/1.0/platforms", {
    token: w.admin,
    headers: mp,
    payload: '--XYZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nbroken',
  });
  assert.ok(m1.status >= 400 && m1.status < 500, `${m1.status} ${m1.body}`);
  const m2 = await call(h.app, "POST", "/1.0/platforms", {
    token: w.admin,
    headers: { "content-type": "multipart/form-data" },
    payload: "garbage",
  });
  assert.ok(m2.status >= 400 && m2.status < 500, `${m2.status} ${m2.body}`);
  sentence(
    await call(h.app, "POST", "/1.0/teams", {
      token: w.alice,
      headers: { "content-type": "text/xml" },
      payload: "<a/>",
    }),
    415,
    /Content-Type/,
  );
});

test("a valid multipart platform-add is accepted and streams", async () => {
  const b = "BOUNDARY42";
  const body =
    `--${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nruby\r\n` +
    `--${b}\r\nContent-Disposition: form-data; name="dockerfile_content"; filename="Dockerfile"\r\nContent-Type: application/octet-stream\r\n\r\nFROM tsuru/ruby\r\n--${b}--\r\n`;
  const r = await call(h.app, "POST", "/1.0/platforms", {
    token: w.admin,
    headers: { "content-type": `multipart/form-data; boundary=${b}` },
    payload: body,
  });
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /"Message":"Platform \\"ruby\\" added/);
});

test("unknown routes are 404 with a sentence; wrong method too", async () => {
  sentence(await call(h.app, "GET", "/1.0/nothing-here", { token: w.alice }), 404, /not a Wharf API route/);
  sentence(await call(h.app, "PATCH", "/1.0/apps", { token: w.alice }), 404);
});
