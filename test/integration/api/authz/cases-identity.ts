// Matrix cases: users, sessions, API keys, teams, team tokens, roles and permissions.
import { call, loginAs } from "../helpers.js";
import { A, ADMIN_ONLY, ALL200, B, S, TEAM, admin, del, form, get, json, type Case } from "./setup.js";

export const identityCases: Case[] = [
  { routes: ["GET /auth/scheme"], run: get("/1.0/auth/scheme"), expect: ALL200, anon: 200 },
  {
    routes: ["POST /users/:email/tokens"],
    note: "login with a wrong password",
    run: (t) =>
      call(S.h.app, "POST", "/1.0/users/alice@example.com/tokens", {
        ...(t ? { token: t } : {}),
        form: { password: "wrong-password" },
      }),
    expect: { admin: 401, member: 401, outsider: 401 },
    anon: 401,
  },
  {
    routes: ["POST /users/:email/tokens"],
    note: "login",
    run: (t) =>
      call(S.h.app, "POST", "/1.0/users/alice@example.com/tokens", {
        ...(t ? { token: t } : {}),
        form: { password: "secret-pw" },
      }),
    expect: ALL200,
    anon: 200,
  },
  {
    routes: ["POST /users"],
    run: (t, _w, n) => form("POST", "/1.0/users", { email: `u${n}@example.com`, password: "secret-pw" })(t),
    expect: ADMIN_ONLY(201),
  },
  {
    routes: ["DELETE /users"],
    prepare: (n) => admin("POST", "/1.0/users", { email: `v${n}@example.com`, password: "secret-pw" }),
    run: (t, _w, n) => del(`/1.0/users?user=v${n}@example.com`)(t),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /users"], run: get("/1.0/users?userEmail=&role=&context="), expect: ALL200 },
  { routes: ["GET /users/info"], run: get("/1.0/users/info"), expect: ALL200 },
  {
    routes: ["PUT /users/password"],
    note: "wrong old password",
    run: form("PUT", "/1.0/users/password", { old: "wrong-pw", new: "newpass1", confirm: "newpass1" }),
    expect: { admin: 403, member: 403, outsider: 403 },
  },
  {
    routes: ["POST /users/:email/password"],
    note: "a forgotten password needs no token; without a mail server it is refused for everyone",
    run: (t) => call(S.h.app, "POST", "/1.0/users/nobody@example.com/password", t ? { token: t } : {}),
    expect: { admin: 400, member: 400, outsider: 400 },
    anon: 400,
  },
  {
    routes: ["GET /users/api-key"],
    note: "one's own key",
    run: get("/1.0/users/api-key"),
    expect: ALL200,
  },
  {
    routes: ["GET /users/api-key"],
    note: "another user's key",
    run: get("/1.0/users/api-key?user=alice@example.com"),
    expect: { admin: 200, member: 200, outsider: 403 },
  },
  {
    routes: ["POST /users/api-key"],
    note: "another user's key",
    run: (t) => call(S.h.app, "POST", "/1.0/users/api-key?user=bob@example.com", t ? { token: t } : {}),
    expect: { admin: 200, member: 403, outsider: 200 },
  },
  {
    routes: ["GET /users/:email/quota"],
    run: get("/1.0/users/alice@example.com/quota"),
    expect: { admin: 200, member: 200, outsider: 403 },
  },
  {
    routes: ["PUT /users/:email/quota"],
    run: form("PUT", "/1.0/users/alice@example.com/quota", { limit: "-1" }),
    expect: ADMIN_ONLY(200),
  },
  // teams and team tokens
  { routes: ["GET /teams"], run: get("/1.0/teams"), expect: ALL200 },
  {
    routes: ["POST /teams"],
    run: (t, _w, n) => json("POST", "/1.0/teams", { name: `t${n}` })(t),
    expect: { admin: 201, member: 201, outsider: 201 },
  },
  {
    routes: ["PUT /teams/:team"],
    echo: [A],
    run: json("PUT", `/1.6/teams/${A}`, { tags: ["x"] }),
    expect: TEAM(200, 404),
  },
  { routes: ["GET /teams/:team"], echo: [A], run: get(`/1.4/teams/${A}`), expect: TEAM(200, 404) },
  {
    routes: ["DELETE /teams/:team"],
    note: "a team that owns apps",
    echo: [A],
    run: del(`/1.0/teams/${A}`),
    expect: { admin: 403, member: 403, outsider: 404 },
  },
  {
    routes: ["DELETE /teams/:team"],
    note: "an empty team",
    // The member's own empty team; others try to remove it.
    prepare: (n) => call(S.h.app, "POST", "/1.0/teams", { token: S.w.alice, json: { name: `e${n}` } }),
    run: (t, _w, n) => del(`/1.0/teams/e${n}`)(t),
    expect: { admin: 200, member: 200, outsider: 404 },
  },
  { routes: ["GET /tokens"], run: get("/1.6/tokens"), expect: { admin: 200, member: 200, outsider: 204 } },
  {
    routes: ["POST /tokens"],
    echo: [A],
    run: (t, _w, n) => json("POST", "/1.6/tokens", { token_id: `k${n}`, team: A })(t),
    expect: TEAM(201, 404),
  },
  {
    routes: ["GET /tokens/:id"],
    echo: ["azure-ci"],
    run: get("/1.7/tokens/azure-ci"),
    expect: TEAM(200, 404),
  },
  {
    routes: ["PUT /tokens/:id"],
    echo: ["azure-ci"],
    run: json("PUT", "/1.6/tokens/azure-ci", { description: "d" }),
    expect: TEAM(200, 404),
  },
  {
    routes: ["DELETE /tokens/:id"],
    prepare: (n) =>
      call(S.h.app, "POST", "/1.6/tokens", { token: S.w.alice, json: { token_id: `d${n}`, team: A } }),
    run: (t, _w, n) => del(`/1.6/tokens/d${n}`)(t),
    expect: TEAM(200, 404),
  },
  // roles
  {
    routes: ["POST /roles"],
    run: (t, _w, n) => form("POST", "/1.0/roles", { name: `r${n}`, context: "team" })(t),
    expect: ADMIN_ONLY(201),
  },
  { routes: ["GET /roles"], run: get("/1.0/roles"), expect: ADMIN_ONLY(200) },
  { routes: ["GET /roles/:name"], run: get("/1.0/roles/scratch"), expect: ADMIN_ONLY(200) },
  {
    routes: ["PUT /roles"],
    run: form("PUT", "/1.4/roles", { name: "scratch", newName: "", description: "d", contextType: "" }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /roles/:name"],
    prepare: (n) => admin("POST", "/1.0/roles", { name: `x${n}`, context: "global" }),
    run: (t, _w, n) => del(`/1.0/roles/x${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["POST /roles/:name/permissions"],
    run: form("POST", "/1.0/roles/scratch/permissions", { permission: "app.read" }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /roles/:name/permissions/:permission"],
    prepare: () => admin("POST", "/1.0/roles/scratch/permissions", { permission: "app.deploy" }),
    run: del("/1.0/roles/scratch/permissions/app.deploy"),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["POST /roles/:name/user"],
    prepare: () => admin("DELETE", `/1.0/roles/scratch/user/bob@example.com?context=${B}`),
    run: form("POST", "/1.0/roles/scratch/user", { email: "bob@example.com", context: B }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /roles/:name/user/:email"],
    prepare: () => admin("POST", "/1.0/roles/scratch/user", { email: "bob@example.com", context: B }),
    run: del(`/1.0/roles/scratch/user/bob@example.com?context=${B}`),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["POST /roles/:name/token"],
    prepare: () => admin("DELETE", `/1.0/roles/scratch/token/azure-ci?context=${A}`),
    run: form("POST", "/1.0/roles/scratch/token", { token_id: "azure-ci", context: A }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /roles/:name/token/:id"],
    prepare: () => admin("POST", "/1.0/roles/scratch/token", { token_id: "azure-ci", context: A }),
    run: del(`/1.0/roles/scratch/token/azure-ci?context=${A}`),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /role/default"], run: get("/1.0/role/default"), expect: ADMIN_ONLY(200) },
  {
    routes: ["POST /role/default"],
    prepare: () => admin("DELETE", "/1.0/role/default?team-create=scratch"),
    run: form("POST", "/1.0/role/default", { "team-create": "scratch" }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /role/default"],
    prepare: () => admin("POST", "/1.0/role/default", { "team-create": "scratch" }),
    run: del("/1.0/role/default?team-create=scratch"),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /permissions"], run: get("/1.0/permissions"), expect: ALL200 },
];

/** Logout runs last: it revokes the caller's token (fresh sessions are used for it). */
export const logoutCase: Case = {
  routes: ["DELETE /users/tokens"],
  run: async (t, who) => {
    if (!t || who === "garbage" || who === "removed") return del("/1.0/users/tokens")(t);
    const email =
      who === "admin" ? "admin@example.com" : who === "member" ? "alice@example.com" : "bob@example.com";
    const fresh = await loginAs(S.h.app, email, who === "admin" ? "admin-password" : "secret-pw");
    return del("/1.0/users/tokens")(fresh);
  },
  expect: ALL200,
};
