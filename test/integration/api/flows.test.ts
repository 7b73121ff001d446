import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { harness, call, world, loginAs, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;
before(async () => {
  h = await harness();
  w = await world(h.app);
});
after(async () => h.close());

test("routes answer bare and under any /1.x prefix", async () => {
  for (const prefix of ["", "/1.0", "/1.4", "/1.7"]) {
    const r = await call(h.app, "GET", `${prefix}/apps/blue-app`, { token: w.alice });
    assert.equal(r.status, 200, `${prefix}: ${r.body}`);
  }
});

test("login returns a token; wrong password 401; unknown user 404", async () => {
  const ok = await call(h.app, "POST", "/1.0/users/alice@example.com/tokens", {
    form: { password: "secret-pw" },
  });
  assert.equal(ok.status, 200);
  assert.equal(typeof (ok.json() as { token: unknown }).token, "string");
  const bad = await call(h.app, "POST", "/1.0/users/alice@example.com/tokens", {
    form: { password: "nope-nope" },
  });
  assert.equal(bad.status, 401);
  const unknown = await call(h.app, "POST", "/1.0/users/ghost@example.com/tokens", {
    form: { password: "x-y-z-w" },
  });
  assert.equal(unknown.status, 404);
});

test("missing or garbage token gets 401 with WWW-Authenticate and tsuru's sentence", async () => {
  for (const token of [undefined, "garbage"]) {
    const r = await call(h.app, "GET", "/1.0/apps", token ? { token } : {});
    assert.equal(r.status, 401);
    assert.equal(r.body, "You must provide a valid Authorization header\n");
    assert.match(String(r.headers["www-authenticate"]), /Bearer realm="tsuru"/);
  }
});

test("logout revokes the session token", async () => {
  const t = await loginAs(h.app, "alice@example.com", "secret-pw");
  assert.equal((await call(h.app, "GET", "/1.0/users/info", { token: t })).status, 200);
  assert.equal((await call(h.app, "DELETE", "/1.0/users/tokens", { token: t })).status, 200);
  assert.equal((await call(h.app, "GET", "/1.0/users/info", { token: t })).status, 401);
});

test("user info lists roles and permissions; permission list starts with root", async () => {
  const r = await call(h.app, "GET", "/1.0/users/info", { token: w.alice });
  const info = r.json() as { Email: string; Roles: { Name: string; ContextValue: string }[] };
  assert.equal(info.Email, "alice@example.com");
  assert.ok(info.Roles.some((x) => x.Name === "team-member" && x.ContextValue === "blue"));
  const perms = (await call(h.app, "GET", "/1.0/permissions", { token: w.alice })).json() as {
    Name: string;
  }[];
  assert.equal(perms[0]?.Name, "");
});

test("app create answers only string values and app info has tsuru's fields", async () => {
  const r = await call(h.app, "POST", "/1.0/apps", {
    token: w.alice,
    form: {
      name: "blue-two",
      platform: "python",
      plan: "",
      pool: "",
      teamOwner: "",
      description: "d",
      tag: ["a", "b"],
      router: "",
      routeropts: "",
    },
  });
  assert.equal(r.status, 201, r.body);
  for (const v of Object.values(r.json() as Record<string, unknown>)) assert.equal(typeof v, "string");
  const info = (await call(h.app, "GET", "/1.0/apps/blue-two", { token: w.alice })).json() as Record<
    string,
    unknown
  >;
  assert.equal(info.teamowner, "blue");
  assert.equal(info.pool, "default");
  assert.deepEqual(info.tags, ["a", "b"]);
  assert.equal(info.owner, "alice@example.com");
  assert.equal((info.plan as { name: string }).name, "small");
  assert.equal((info.lock as { Locked: boolean }).Locked, false);
  const q = await call(h.app, "GET", "/1.0/apps/blue-two/quota", { token: w.alice });
  assert.deepEqual(q.json(), { limit: -1, inuse: 0 });
  assert.ok([200, 204].includes((await call(h.app, "GET", "/1.4/volumes", { token: w.alice })).status));
});

test("duplicate app is 409; invalid name 400; unknown platform 400; unknown plan 400; unknown pool 404", async () => {
  const base = {
    platform: "python",
    plan: "",
    pool: "",
    teamOwner: "blue",
    description: "",
    router: "",
    routeropts: "",
  };
  assert.equal(
    (await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: { ...base, name: "blue-app" } })).status,
    409,
  );
  assert.equal(
    (await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: { ...base, name: "Bad_Name" } })).status,
    400,
  );
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/apps", {
        token: w.alice,
        form: { ...base, name: "x1", platform: "cobol" },
      })
    ).status,
    400,
  );
  assert.equal(
    (await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: { ...base, name: "x2", plan: "huge" } }))
      .status,
    400,
  );
  assert.equal(
    (await call(h.app, "POST", "/1.0/apps", { token: w.alice, form: { ...base, name: "x3", pool: "nope" } }))
      .status,
    404,
  );
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/apps", {
        token: w.alice,
        form: { ...base, name: "x4", teamOwner: "red" },
      })
    ).status,
    403,
  );
});

test("env set/get masks private values; unset removes", async () => {
  const set = await call(h.app, "POST", "/1.0/apps/blue-app/env", {
    token: w.alice,
    form: { "Envs.0.Name": "FOO", "Envs.0.Value": "bar", NoRestart: "", Private: "" },
  });
  assert.equal(set.status, 200, set.body);
  assert.match(set.headers["content-type"] as string, /application\/x-json-stream/);
  assert.match(set.body, /Setting 1 new environment variables/);
  const priv = await call(h.app, "POST", "/1.0/apps/blue-app/env", {
    token: w.alice,
    form: { "Envs.0.Name": "SECRET", "Envs.0.Value": "hunter2", NoRestart: "true", Private: "true" },
  });
  assert.equal(priv.status, 200);
  const get = await call(h.app, "GET", "/1.0/apps/blue-app/env?", { token: w.alice });
  const envs = get.json() as { name: string; value: string; public: boolean }[];
  assert.deepEqual(
    envs.find((e) => e.name === "FOO"),
    { name: "FOO", value: "bar", alias: "", public: true },
  );
  const s = envs.find((e) => e.name === "SECRET")!;
  assert.equal(s.public, false);
  assert.ok(!get.body.includes("hunter2"));
  const ev = await call(h.app, "GET", "/1.1/events?kindname=app.update.env.set&target.value=blue-app", {
    token: w.admin,
  });
  assert.ok(!ev.body.includes("hunter2"));
  const un = await call(h.app, "DELETE", "/1.0/apps/blue-app/env?env=FOO&noRestart=true", { token: w.alice });
  assert.equal(un.status, 200);
  const after = (
    await call(h.app, "GET", "/1.0/apps/blue-app/env?env=FOO", { token: w.alice })
  ).json() as unknown[];
  assert.equal(after.length, 0);
});

test("env-set with JSON body works too", async () => {
  const r = await call(h.app, "POST", "/1.0/apps/blue-app/env", {
    token: w.alice,
    json: { envs: [{ name: "J", value: "1" }] },
  });
  assert.equal(r.status, 200, r.body);
});

test("cname add/remove and uniqueness across apps", async () => {
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/apps/blue-app/cname", {
        token: w.alice,
        form: { cname: ["www.blue.com"] },
      })
    ).status,
    200,
  );
  const dup = await call(h.app, "POST", "/1.0/apps/red-app/cname", {
    token: w.bob,
    form: { cname: "www.blue.com" },
  });
  assert.equal(dup.status, 400);
  assert.equal(dup.body, "cname already exists!\n");
  assert.equal(
    (await call(h.app, "POST", "/1.0/apps/blue-app/cname", { token: w.alice, form: { cname: "bad cname" } }))
      .status,
    400,
  );
  assert.equal(
    (await call(h.app, "DELETE", "/1.0/apps/blue-app/cname?cname=www.blue.com", { token: w.alice })).status,
    200,
  );
});

test("grant and revoke a team; last team can't be revoked", async () => {
  assert.equal((await call(h.app, "PUT", "/1.0/apps/blue-app/teams/red", { token: w.alice })).status, 200);
  assert.equal((await call(h.app, "PUT", "/1.0/apps/blue-app/teams/red", { token: w.alice })).status, 409);
  assert.equal((await call(h.app, "GET", "/1.0/apps/blue-app", { token: w.bob })).status, 200);
  assert.equal((await call(h.app, "DELETE", "/1.0/apps/blue-app/teams/red", { token: w.alice })).status, 200);
  assert.equal((await call(h.app, "GET", "/1.0/apps/blue-app", { token: w.bob })).status, 403);
  assert.equal(
    (await call(h.app, "DELETE", "/1.0/apps/blue-app/teams/blue", { token: w.alice })).status,
    403,
  );
  assert.equal((await call(h.app, "PUT", "/1.0/apps/blue-app/teams/nope", { token: w.alice })).status, 404);
});

test("user quota limits apps per user (403 Quota exceeded)", async () => {
  await call(h.app, "POST", "/1.0/users", {
    token: w.admin,
    form: { email: "q@example.com", password: "secret-pw" },
  });
  const t = await loginAs(h.app, "q@example.com", "secret-pw");
  assert.equal((await call(h.app, "POST", "/1.0/teams", { token: t, json: { name: "qteam" } })).status, 201);
  assert.equal(
    (await call(h.app, "PUT", "/1.0/users/q@example.com/quota", { token: w.admin, form: { limit: "1" } }))
      .status,
    200,
  );
  const f = { platform: "python", teamOwner: "qteam" };
  assert.equal(
    (await call(h.app, "POST", "/1.0/apps", { token: t, form: { ...f, name: "q-one" } })).status,
    201,
  );
  const r = await call(h.app, "POST", "/1.0/apps", { token: t, form: { ...f, name: "q-two" } });
  assert.equal(r.status, 403);
  assert.match(r.body, /Quota exceeded/);
  assert.deepEqual((await call(h.app, "GET", "/1.0/users/q@example.com/quota", { token: t })).json(), {
    limit: 1,
    inuse: 1,
  });
});

test("every mutation records an event; event info by id; outsiders don't see it", async () => {
  const r = await call(
    h.app,
    "GET",
    "/1.1/events?kindname=app.create&target.type=app&target.value=blue-app",
    { token: w.alice },
  );
  assert.equal(r.status, 200, r.body);
  const evs = r.json() as {
    UniqueID: string;
    Kind: { Name: string };
    Owner: { Name: string };
    Running: boolean;
  }[];
  assert.equal(evs.length, 1);
  assert.match(evs[0]!.UniqueID, /^[0-9a-f]{24}$/);
  assert.equal(evs[0]!.Owner.Name, "alice@example.com");
  assert.equal(evs[0]!.Running, false);
  const one = await call(h.app, "GET", `/1.1/events/${evs[0]!.UniqueID}`, { token: w.alice });
  assert.equal(one.status, 200);
  assert.equal((await call(h.app, "GET", `/1.1/events/${evs[0]!.UniqueID}`, { token: w.bob })).status, 404);
  const bobs = await call(h.app, "GET", "/1.1/events", { token: w.bob });
  assert.ok(!bobs.body.includes("blue"));
});

test("a running event locks the app: a second mutation gets 409 naming the event", async () => {
  const ev = await h.store.createEvent({
    kind: { type: "permission", name: "app.deploy" },
    target: { type: "app", value: "blue-app" },
    owner: { type: "user", name: "alice@example.com" },
    lock: true,
  });
  const r = await call(h.app, "POST", "/1.0/apps/blue-app/env", {
    token: w.alice,
    form: { "Envs.0.Name": "A", "Envs.0.Value": "1" },
  });
  assert.equal(r.status, 409);
  assert.ok(r.body.includes(ev.id), r.body);
  const list = (await call(h.app, "GET", "/1.0/apps?locked=true", { token: w.alice })).json() as {
    lock: { Locked: boolean };
  }[];
  assert.equal(list[0]?.lock.Locked, true);
  await h.store.finishEvent(ev.id, {});
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/apps/blue-app/env", {
        token: w.alice,
        form: { "Envs.0.Name": "A", "Envs.0.Value": "1" },
      })
    ).status,
    200,
  );
});

test("pool add with an existing default answers 412 unless forced", async () => {
  const f = { name: "other", default: "true", public: "false", force: "false", provisioner: "" };
  assert.equal((await call(h.app, "POST", "/1.0/pools", { token: w.admin, form: f })).status, 412);
  assert.equal(
    (await call(h.app, "POST", "/1.0/pools", { token: w.admin, form: { ...f, force: "true" } })).status,
    201,
  );
  const pools = (await call(h.app, "GET", "/1.0/pools", { token: w.admin })).json() as {
    name: string;
    default: boolean;
  }[];
  assert.deepEqual(
    pools.filter((p) => p.default).map((p) => p.name),
    ["other"],
  );
  assert.equal(
    (await call(h.app, "POST", "/1.0/pools", { token: w.admin, form: { ...f, name: "Bad" } })).status,
    400,
  );
  assert.equal((await call(h.app, "DELETE", "/1.0/pools/default", { token: w.admin })).status, 403);
});

test("team pool constraints: a team's own pool is chosen and others can't see it", async () => {
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/pools", {
        token: w.admin,
        form: { name: "blue-only", default: "false", public: "false" },
      })
    ).status,
    201,
  );
  assert.equal(
    (await call(h.app, "POST", "/1.0/pools/blue-only/team", { token: w.admin, form: { team: "blue" } }))
      .status,
    200,
  );
  const bobPools = await call(h.app, "GET", "/1.0/pools", { token: w.bob });
  assert.ok(!bobPools.body.includes("blue-only"));
  assert.ok(!bobPools.body.includes('"blue"'));
  const alicePools = await call(h.app, "GET", "/1.0/pools", { token: w.alice });
  assert.ok(alicePools.body.includes("blue-only"));
  const r = await call(h.app, "POST", "/1.0/apps", {
    token: w.alice,
    form: { name: "pooled", platform: "python", teamOwner: "blue" },
  });
  assert.equal(r.status, 201, r.body);
  assert.equal(
    ((await call(h.app, "GET", "/1.0/apps/pooled", { token: w.alice })).json() as { pool: string }).pool,
    "blue-only",
  );
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/apps", {
        token: w.bob,
        form: { name: "sneaky", platform: "python", pool: "blue-only" },
      })
    ).status,
    400,
  );
});

test("plans, platforms and routers lists", async () => {
  const plans = (await call(h.app, "GET", "/1.0/plans", { token: w.alice })).json() as {
    name: string;
    memory: number;
    default?: boolean;
  }[];
  assert.deepEqual(plans, [{ name: "small", memory: 134217728, swap: 0, cpushare: 100, default: true }]);
  const plats = (await call(h.app, "GET", "/1.0/platforms", { token: w.alice })).json();
  assert.deepEqual(plats, [{ Name: "python", Disabled: false }]);
  const info = (await call(h.app, "GET", "/1.6/platforms/python", { token: w.alice })).json() as {
    platform: { Name: string };
  };
  assert.equal(info.platform.Name, "python");
  assert.equal((await call(h.app, "GET", "/1.3/routers", { token: w.alice })).status, 200);
});

test("team list/info/remove", async () => {
  const teams = (await call(h.app, "GET", "/1.0/teams", { token: w.alice })).json() as {
    name: string;
    permissions: string[];
  }[];
  assert.deepEqual(
    teams.map((t) => t.name),
    ["blue"],
  );
  assert.ok(teams[0]!.permissions.includes("app"));
  const info = await call(h.app, "GET", "/1.4/teams/blue", { token: w.alice });
  assert.equal(info.status, 200);
  assert.ok(
    (info.json() as { users: { Email: string }[] }).users.some((u) => u.Email === "alice@example.com"),
  );
  assert.equal((await call(h.app, "GET", "/1.4/teams/blue", { token: w.bob })).status, 404);
  assert.equal((await call(h.app, "DELETE", "/1.0/teams/blue", { token: w.alice })).status, 403);
  assert.equal(
    (await call(h.app, "POST", "/1.0/teams", { token: w.alice, json: { name: "blue" } })).status,
    409,
  );
  assert.equal(
    (await call(h.app, "POST", "/1.0/teams", { token: w.alice, json: { name: "bad team" } })).status,
    400,
  );
  assert.equal(
    (await call(h.app, "POST", "/1.0/teams", { token: w.alice, json: { name: "tmp" } })).status,
    201,
  );
  assert.equal((await call(h.app, "DELETE", "/1.0/teams/tmp", { token: w.alice })).status, 200);
});

test("team tokens act for their team", async () => {
  const r = await call(h.app, "POST", "/1.6/tokens", {
    token: w.alice,
    json: { token_id: "ci", team: "blue", description: "ci" },
  });
  assert.equal(r.status, 201, r.body);
  const tok = (r.json() as { token: string }).token;
  assert.equal((await call(h.app, "GET", "/1.0/apps/blue-app", { token: tok })).status, 200);
  assert.equal((await call(h.app, "GET", "/1.0/apps/red-app", { token: tok })).status, 403);
  const list = (await call(h.app, "GET", "/1.6/tokens", { token: w.alice })).json() as {
    token: string;
    token_id: string;
  }[];
  assert.deepEqual(
    list.map((t) => [t.token_id, t.token]),
    [["ci", ""]],
  );
  assert.equal((await call(h.app, "GET", "/1.7/tokens/ci", { token: w.bob })).status, 404);
  assert.equal((await call(h.app, "DELETE", "/1.6/tokens/ci", { token: w.alice })).status, 200);
  assert.equal((await call(h.app, "GET", "/1.0/apps/blue-app", { token: tok })).status, 401);
});

test("roles: create, add permission, assign, default roles", async () => {
  const a = w.admin;
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/roles", {
        token: a,
        form: { name: "deployer", context: "team", description: "d" },
      })
    ).status,
    201,
  );
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/roles/deployer/permissions", {
        token: a,
        form: { permission: ["app.deploy", "app.read"] },
      })
    ).status,
    200,
  );
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/roles/deployer/permissions", {
        token: a,
        form: { permission: "pool.create" },
      })
    ).status,
    409,
  );
  assert.equal(
    (
      await call(h.app, "POST", "/1.0/roles/deployer/user", {
        token: a,
        form: { email: "bob@example.com", context: "blue" },
      })
    ).status,
    200,
  );
  assert.equal((await call(h.app, "GET", "/1.0/apps/blue-app", { token: w.bob })).status, 200);
  assert.equal((await call(h.app, "DELETE", "/1.0/roles/deployer", { token: a })).status, 412);
  assert.equal(
    (await call(h.app, "DELETE", "/1.0/roles/deployer/user/bob@example.com?context=blue", { token: a }))
      .status,
    200,
  );
  assert.equal((await call(h.app, "GET", "/1.0/apps/blue-app", { token: w.bob })).status, 403);
  assert.equal(
    (await call(h.app, "POST", "/1.0/roles", { token: w.alice, form: { name: "x", context: "team" } }))
      .status,
    403,
  );
  const roles = (await call(h.app, "GET", "/1.0/role/default", { token: a })).json() as {
    name: string;
    events: string[];
  }[];
  assert.ok(roles.some((r) => r.name === "team-member" && r.events.includes("team-create")));
});

test("password change, reset and API key", async () => {
  await call(h.app, "POST", "/1.0/users", {
    token: w.admin,
    form: { email: "pw@example.com", password: "first-pw" },
  });
  const t = await loginAs(h.app, "pw@example.com", "first-pw");
  assert.equal(
    (
      await call(h.app, "PUT", "/1.0/users/password", {
        token: t,
        form: { old: "wrong", new: "second-pw", confirm: "second-pw" },
      })
    ).status,
    403,
  );
  assert.equal(
    (
      await call(h.app, "PUT", "/1.0/users/password", {
        token: t,
        form: { old: "first-pw", new: "second-pw", confirm: "second-pw" },
      })
    ).status,
    200,
  );
  const t2 = await loginAs(h.app, "pw@example.com", "second-pw");
  // Without a mail server tsuru's reset can't deliver its token: refused, naming the admin's way.
  const reset = await call(h.app, "POST", "/1.0/users/pw@example.com/password");
  assert.equal(reset.status, 400);
  assert.match(reset.body, /wharf server reset-password --email EMAIL/);
  assert.equal((await call(h.app, "GET", "/1.0/users/info", { token: t2 })).status, 200, "nothing was reset");
  // token-show shows the key token-regenerate made; regenerating replaces it.
  const key = await call(h.app, "POST", "/1.0/users/api-key", { token: t2 });
  assert.equal(key.status, 200);
  const shown = await call(h.app, "GET", "/1.0/users/api-key", { token: t2 });
  assert.equal(shown.json(), key.json(), "token-show shows the existing key");
  assert.equal((await call(h.app, "GET", "/1.0/users/info", { token: key.json() as string })).status, 200);
  const again = await call(h.app, "POST", "/1.0/users/api-key", { token: t2 });
  assert.notEqual(again.json(), key.json());
  assert.equal((await call(h.app, "GET", "/1.0/users/info", { token: key.json() as string })).status, 401);
  assert.equal((await call(h.app, "GET", "/1.0/users/api-key", { token: t2 })).json(), again.json());
});

test("login attempts are rate-limited per user (429)", async () => {
  let last = 0;
  for (let i = 0; i < 12; i++)
    last = (
      await call(h.app, "POST", "/1.0/users/bob@example.com/tokens", { form: { password: `wrong-${i}` } })
    ).status;
  assert.equal(last, 429);
  const r = await call(h.app, "POST", "/1.0/users/bob@example.com/tokens", {
    form: { password: "secret-pw" },
  });
  assert.equal(r.status, 429);
  assert.ok(r.headers["retry-after"]);
});

test("app update and remove stream and release quota", async () => {
  const up = await call(h.app, "PUT", "/1.0/apps/blue-two", {
    token: w.alice,
    form: { description: "new", imageReset: "false", plan: "", platform: "", pool: "", teamOwner: "" },
  });
  assert.equal(up.status, 200, up.body);
  assert.equal(
    ((await call(h.app, "GET", "/1.0/apps/blue-two", { token: w.alice })).json() as { description: string })
      .description,
    "new",
  );
  const rm = await call(h.app, "DELETE", "/1.0/apps/blue-two", { token: w.alice });
  assert.equal(rm.status, 200);
  assert.match(rm.body, /Removing application/);
  assert.equal((await call(h.app, "GET", "/1.0/apps/blue-two", { token: w.alice })).status, 404);
});

test("healthcheck, metrics and openapi", async () => {
  assert.equal((await call(h.app, "GET", "/healthcheck")).body, "WORKING");
  const m = await call(h.app, "GET", "/metrics");
  assert.match(m.body, /wharf_http_requests_total/);
  const o = (await call(h.app, "GET", "/openapi.json")).json() as {
    openapi: string;
    paths: Record<string, unknown>;
  };
  assert.match(o.openapi, /^3\./);
  assert.ok(o.paths["/apps/{app}"]);
  assert.ok(Object.keys(o.paths).length > 40);
});
