// Every route called as: admin; member of the owning team; member of another team; no
// token; a garbage token; a removed (logged out) token. Asserts the exact status, and
// that no body shown to a non-admin contains the other team's names.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { harness, call, world, loginAs, type Harness, type World, type Res } from "./helpers.js";

type Who = "admin" | "member" | "outsider" | "none" | "garbage" | "removed";
const WHO: Who[] = ["admin", "member", "outsider", "none", "garbage", "removed"];

interface Case {
  name: string;
  /** Performs the call for `who` (n is a per-call unique suffix). */
  run: (token: string | undefined, who: Who, n: string) => Promise<Res>;
  expect: Partial<Record<Who, number>> & { admin: number; member: number; outsider: number };
  /** Auth not required: unauthenticated callers get this status instead of 401. */
  anon?: number;
  /** Names the request itself carries: an error may echo them back (that's not a leak). */
  echo?: string[];
}

let h: Harness;
let w: World;
let tokens: Record<Who, string | undefined>;
let azureEvent = "";

const A = "azureteam";
const B = "crimsonteam";
const APP = `${A}-app`;

before(async () => {
  h = await harness();
  w = await world(h.app, A, B);
  const removed = await loginAs(h.app, "bob@example.com", "secret-pw");
  await call(h.app, "DELETE", "/1.0/users/tokens", { token: removed });
  tokens = { admin: w.admin, member: w.alice, outsider: w.bob, none: undefined, garbage: "f00ba5", removed };
  const a = w.admin;
  await call(h.app, "POST", "/1.0/pools", { token: a, form: { name: "azure-pool" } });
  await call(h.app, "POST", "/1.0/pools/azure-pool/team", { token: a, form: { team: A } });
  await call(h.app, "POST", "/1.6/tokens", { token: w.alice, json: { token_id: "azure-ci", team: A } });
  await call(h.app, "POST", "/1.0/roles", { token: a, form: { name: "scratch", context: "team" } });
  const evs = (
    await call(h.app, "GET", `/1.1/events?kindname=app.create&target.value=${APP}`, { token: a })
  ).json() as { UniqueID: string }[];
  azureEvent = evs[0]!.UniqueID;
});
after(async () => h.close());

const get = (url: string) => (t: string | undefined) => call(h.app, "GET", url, t ? { token: t } : {});
const del = (url: string) => (t: string | undefined) => call(h.app, "DELETE", url, t ? { token: t } : {});
const form = (method: string, url: string, f: Record<string, string | string[]>) => (t: string | undefined) =>
  call(h.app, method, url, t ? { token: t, form: f } : { form: f });
const admin = (method: string, url: string, f?: Record<string, string | string[]>) =>
  call(h.app, method, url, f ? { token: w.admin, form: f } : { token: w.admin });
const ALL200 = { admin: 200, member: 200, outsider: 200 };
const ADMIN_ONLY = (ok: number) => ({ admin: ok, member: 403, outsider: 403 });
const TEAM = (ok: number, outsider = 403) => ({ admin: ok, member: ok, outsider });

const cases: Case[] = [
  { name: "GET /auth/scheme", run: get("/1.0/auth/scheme"), expect: ALL200, anon: 200 },
  { name: "GET /healthcheck", run: get("/healthcheck"), expect: ALL200, anon: 200 },
  { name: "GET /metrics", run: get("/metrics"), expect: ALL200, anon: 200 },
  { name: "GET /openapi.json", run: get("/openapi.json"), expect: ALL200, anon: 200 },
  // users
  {
    name: "POST /users",
    run: (t, _w, n) => form("POST", "/1.0/users", { email: `u${n}@example.com`, password: "secret-pw" })(t),
    expect: ADMIN_ONLY(201),
  },
  {
    name: "DELETE /users?user=",
    run: async (t, _w, n) => {
      await admin("POST", "/1.0/users", { email: `v${n}@example.com`, password: "secret-pw" });
      return del(`/1.0/users?user=v${n}@example.com`)(t);
    },
    expect: ADMIN_ONLY(200),
  },
  { name: "GET /users", run: get("/1.0/users?userEmail=&role=&context="), expect: ALL200 },
  { name: "GET /users/info", run: get("/1.0/users/info"), expect: ALL200 },
  {
    name: "PUT /users/password (wrong old)",
    run: form("PUT", "/1.0/users/password", { old: "wrong-pw", new: "newpass1", confirm: "newpass1" }),
    expect: { admin: 403, member: 403, outsider: 403 },
  },
  {
    name: "POST /users/{email}/password",
    run: (t) => call(h.app, "POST", "/1.0/users/nobody@example.com/password", t ? { token: t } : {}),
    expect: { admin: 404, member: 403, outsider: 403 },
  },
  {
    name: "GET /users/{member}/quota",
    run: get("/1.0/users/alice@example.com/quota"),
    expect: { admin: 200, member: 200, outsider: 403 },
  },
  {
    name: "PUT /users/{member}/quota",
    run: form("PUT", "/1.0/users/alice@example.com/quota", { limit: "-1" }),
    expect: ADMIN_ONLY(200),
  },
  // teams and team tokens
  { name: "GET /teams", run: get("/1.0/teams"), expect: ALL200 },
  {
    name: "POST /teams",
    run: (t, _w, n) =>
      call(
        h.app,
        "POST",
        "/1.0/teams",
        t ? { token: t, json: { name: `t${n}` } } : { json: { name: `t${n}` } },
      ),
    expect: { admin: 201, member: 201, outsider: 201 },
  },
  {
    name: "PUT /teams/{team}",
    echo: [A],
    run: (t) => call(h.app, "PUT", `/1.6/teams/${A}`, t ? { token: t, json: { tags: ["x"] } } : { json: {} }),
    expect: TEAM(200, 404),
  },
  { name: "GET /teams/{team}", echo: [A], run: get(`/1.4/teams/${A}`), expect: TEAM(200, 404) },
  {
    name: "DELETE /teams/{team} (has apps)",
    echo: [A],
    run: del(`/1.0/teams/${A}`),
    expect: { admin: 403, member: 403, outsider: 404 },
  },
  { name: "GET /tokens", run: get("/1.6/tokens"), expect: { admin: 200, member: 200, outsider: 204 } },
  {
    name: "POST /tokens",
    echo: [A],
    run: (t, _w, n) =>
      call(
        h.app,
        "POST",
        "/1.6/tokens",
        t ? { token: t, json: { token_id: `k${n}`, team: A } } : { json: {} },
      ),
    expect: TEAM(201, 404),
  },
  { name: "GET /tokens/{id}", echo: ["azure-ci"], run: get("/1.7/tokens/azure-ci"), expect: TEAM(200, 404) },
  {
    name: "PUT /tokens/{id}",
    echo: ["azure-ci"],
    run: (t) =>
      call(h.app, "PUT", "/1.6/tokens/azure-ci", t ? { token: t, json: { description: "d" } } : { json: {} }),
    expect: TEAM(200, 404),
  },
  {
    name: "DELETE /tokens/{id}",
    run: async (t, _w, n) => {
      await call(h.app, "POST", "/1.6/tokens", { token: w.alice, json: { token_id: `d${n}`, team: A } });
      return del(`/1.6/tokens/d${n}`)(t);
    },
    expect: TEAM(200, 404),
  },
  // roles
  {
    name: "POST /roles",
    run: (t, _w, n) => form("POST", "/1.0/roles", { name: `r${n}`, context: "team" })(t),
    expect: ADMIN_ONLY(201),
  },
  { name: "GET /roles", run: get("/1.0/roles"), expect: ADMIN_ONLY(200) },
  { name: "GET /roles/{name}", run: get("/1.0/roles/scratch"), expect: ADMIN_ONLY(200) },
  {
    name: "PUT /roles",
    run: form("PUT", "/1.4/roles", { name: "scratch", newName: "", description: "d", contextType: "" }),
    expect: ADMIN_ONLY(200),
  },
  {
    name: "DELETE /roles/{name}",
    run: async (t, _w, n) => {
      await admin("POST", "/1.0/roles", { name: `x${n}`, context: "global" });
      return del(`/1.0/roles/x${n}`)(t);
    },
    expect: ADMIN_ONLY(200),
  },
  {
    name: "POST /roles/{name}/permissions",
    run: form("POST", "/1.0/roles/scratch/permissions", { permission: "app.read" }),
    expect: ADMIN_ONLY(200),
  },
  {
    name: "DELETE /roles/{name}/permissions/{p}",
    run: async (t) => {
      await admin("POST", "/1.0/roles/scratch/permissions", { permission: "app.deploy" });
      return del("/1.0/roles/scratch/permissions/app.deploy")(t);
    },
    expect: ADMIN_ONLY(200),
  },
  {
    name: "POST+DELETE /roles/{name}/user",
    run: async (t) => {
      const r = await form("POST", "/1.0/roles/scratch/user", { email: "bob@example.com", context: B })(t);
      if (r.status === 200) await admin("DELETE", `/1.0/roles/scratch/user/bob@example.com?context=${B}`);
      return r;
    },
    expect: ADMIN_ONLY(200),
  },
  { name: "GET /role/default", run: get("/1.0/role/default"), expect: ADMIN_ONLY(200) },
  {
    name: "POST /role/default",
    run: async (t) => {
      const r = await form("POST", "/1.0/role/default", { "team-create": "scratch" })(t);
      if (r.status === 200) await admin("DELETE", "/1.0/role/default?team-create=scratch");
      return r;
    },
    expect: ADMIN_ONLY(200),
  },
  { name: "GET /permissions", run: get("/1.0/permissions"), expect: ALL200 },
  // pools
  { name: "GET /pools", run: get("/1.0/pools"), expect: ALL200 },
  {
    name: "POST /pools",
    run: (t, _w, n) =>
      form("POST", "/1.0/pools", { name: `p${n}`, default: "false", public: "false", force: "false" })(t),
    expect: ADMIN_ONLY(201),
  },
  {
    name: "PUT /pools/{pool}",
    run: form("PUT", "/1.0/pools/azure-pool", { default: "", public: "", force: "false" }),
    expect: ADMIN_ONLY(200),
  },
  {
    name: "DELETE /pools/{pool}",
    run: async (t, _w, n) => {
      await admin("POST", "/1.0/pools", { name: `del${n}` });
      return del(`/1.0/pools/del${n}`)(t);
    },
    expect: ADMIN_ONLY(200),
  },
  {
    name: "POST /pools/{pool}/team",
    run: form("POST", "/1.0/pools/azure-pool/team", { team: A }),
    expect: ADMIN_ONLY(200),
  },
  { name: "GET /constraints", run: get("/1.3/constraints"), expect: ADMIN_ONLY(200) },
  {
    name: "PUT /constraints",
    run: form("PUT", "/1.3/constraints", {
      PoolExpr: "azure-pool",
      Field: "router",
      "Values.0": "wharf",
      Blacklist: "",
      append: "false",
    }),
    expect: ADMIN_ONLY(200),
  },
  // catalog
  { name: "GET /plans", run: get("/1.0/plans"), expect: ALL200 },
  {
    name: "POST /plans",
    run: (t, _w, n) =>
      form("POST", "/1.0/plans", {
        name: `plan${n}`,
        memory: "64M",
        swap: "0",
        cpushare: "10",
        default: "false",
      })(t),
    expect: ADMIN_ONLY(201),
  },
  {
    name: "DELETE /plans/{name}",
    run: async (t, _w, n) => {
      await admin("POST", "/1.0/plans", { name: `dp${n}`, memory: "64M", cpushare: "1" });
      return del(`/1.0/plans/dp${n}`)(t);
    },
    expect: ADMIN_ONLY(200),
  },
  { name: "GET /platforms", run: get("/1.0/platforms"), expect: ALL200 },
  { name: "GET /platforms/{name}", run: get("/1.6/platforms/python"), expect: ALL200 },
  {
    name: "POST /platforms",
    run: (t, _w, n) => form("POST", "/1.0/platforms", { name: `plat${n}` })(t),
    expect: ADMIN_ONLY(200),
  },
  {
    name: "PUT /platforms/{name}",
    run: form("PUT", "/1.0/platforms/python", { disabled: "false" }),
    expect: ADMIN_ONLY(200),
  },
  {
    name: "DELETE /platforms/{name}",
    run: async (t, _w, n) => {
      await admin("POST", "/1.0/platforms", { name: `dplat${n}` });
      return del(`/1.0/platforms/dplat${n}`)(t);
    },
    expect: ADMIN_ONLY(200),
  },
  { name: "GET /routers", run: get("/1.3/routers"), expect: ALL200 },
  { name: "GET /volumes", run: get("/1.4/volumes"), expect: { admin: 204, member: 204, outsider: 204 } },
  {
    name: "GET /services/instances",
    run: get(`/1.0/services/instances?app=${APP}`),
    expect: { admin: 204, member: 204, outsider: 204 },
  },
  // apps
  {
    name: "POST /apps",
    echo: [A],
    run: (t, _w, n) =>
      form("POST", "/1.0/apps", {
        name: `app${n}`,
        platform: "python",
        teamOwner: A,
        plan: "",
        pool: "",
        description: "",
        router: "",
        routeropts: "",
      })(t),
    expect: TEAM(201),
  },
  { name: "GET /apps", run: get("/1.0/apps?"), expect: ALL200 },
  { name: "GET /apps/{app}", run: get(`/1.0/apps/${APP}`), expect: TEAM(200) },
  {
    name: "PUT /apps/{app}",
    run: form("PUT", `/1.0/apps/${APP}`, {
      description: "changed",
      imageReset: "false",
      plan: "",
      pool: "",
      platform: "",
      teamOwner: "",
    }),
    expect: TEAM(200),
  },
  {
    name: "DELETE /apps/{app}",
    run: async (t, who, n) => {
      await call(h.app, "POST", "/1.0/apps", {
        token: w.alice,
        form: { name: `rm${n}`, platform: "python", teamOwner: A },
      });
      return del(`/1.0/apps/${who === "outsider" ? APP : `rm${n}`}`)(t);
    },
    expect: TEAM(200),
  },
  { name: "GET /apps/{app}/quota", run: get(`/1.0/apps/${APP}/quota`), expect: TEAM(200) },
  {
    name: "PUT /apps/{app}/quota",
    run: form("PUT", `/1.0/apps/${APP}/quota`, { limit: "10" }),
    expect: TEAM(200),
  },
  {
    name: "PUT+DELETE /apps/{app}/teams/{team}",
    run: async (t) => {
      const r = await call(h.app, "PUT", `/1.0/apps/${APP}/teams/${B}`, t ? { token: t } : {});
      if (r.status === 200) {
        const d = await call(h.app, "DELETE", `/1.0/apps/${APP}/teams/${B}`, { token: t! });
        assert.equal(d.status, 200, d.body);
      }
      return r;
    },
    expect: TEAM(200),
  },
  { name: "GET /apps/{app}/env", run: get(`/1.0/apps/${APP}/env?`), expect: TEAM(200) },
  {
    name: "POST /apps/{app}/env",
    run: form("POST", `/1.0/apps/${APP}/env`, {
      "Envs.0.Name": "K",
      "Envs.0.Value": "v",
      NoRestart: "",
      Private: "",
    }),
    expect: TEAM(200),
  },
  {
    name: "DELETE /apps/{app}/env",
    run: del(`/1.0/apps/${APP}/env?env=K&noRestart=false`),
    expect: TEAM(200),
  },
  {
    name: "POST+DELETE /apps/{app}/cname",
    run: async (t, _w, n) => {
      const r = await form("POST", `/1.0/apps/${APP}/cname`, { cname: `c${n}.example.com` })(t);
      if (r.status === 200)
        assert.equal((await del(`/1.0/apps/${APP}/cname?cname=c${n}.example.com`)(t)).status, 200);
      return r;
    },
    expect: TEAM(200),
  },
  // events
  { name: "GET /events", run: get("/1.1/events?kindname=&limit="), expect: ALL200 },
  { name: "GET /events/{id}", run: (t) => get(`/1.1/events/${azureEvent}`)(t), expect: TEAM(200, 404) },
  // logout last: it revokes the caller's token (fresh sessions are used for it).
  {
    name: "DELETE /users/tokens",
    run: async (t, who) => {
      if (!t || who === "garbage" || who === "removed") return del("/1.0/users/tokens")(t);
      const email =
        who === "admin" ? "admin@example.com" : who === "member" ? "alice@example.com" : "bob@example.com";
      const fresh = await loginAs(h.app, email, who === "admin" ? "admin-password" : "secret-pw");
      return del("/1.0/users/tokens")(fresh);
    },
    expect: ALL200,
  },
];

const leaks: Partial<Record<Who, RegExp>> = { member: /crimson|bob@/i, outsider: /azure|alice@/i };

let counter = 0;
for (const c of cases) {
  test(`authorization matrix: ${c.name}`, async () => {
    for (const who of WHO) {
      const n = `${++counter}`;
      const r = await c.run(tokens[who], who, n);
      const want =
        c.expect[who] ??
        (c.anon !== undefined
          ? c.anon
          : who === "none" && c.name === "POST /users/{email}/password"
            ? 401
            : 401);
      assert.equal(r.status, want, `${c.name} as ${who}: got ${r.status} ${r.body.slice(0, 300)}`);
      assert.ok(r.status < 500);
      if (r.status >= 400)
        assert.ok(r.body.endsWith("\n") && r.body.length > 5, `${who}: error body is a sentence`);
      const leak = leaks[who];
      if (leak && c.name !== "GET /openapi.json" && c.name !== "GET /metrics") {
        const body = (c.echo ?? []).reduce((b, e) => b.split(`"${e}"`).join('""'), r.body);
        assert.ok(!leak.test(body), `${c.name} as ${who} leaks: ${r.body.slice(0, 300)}`);
      }
    }
  });
}
