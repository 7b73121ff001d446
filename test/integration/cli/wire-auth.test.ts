// The CLI speaks tsuru's wire contract: login, logout, users, teams, roles, tokens.
// Each test runs the built CLI against a recording stub and asserts the exact request.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli, runCli, startStub, type Stub } from "./helpers.js";

let stub: Stub;
const TOKEN = "t0k3n-abcdef";
const env = () => ({ WHARF_TARGET: stub.url, WHARF_TOKEN: TOKEN });

before(async () => {
  buildCli();
  stub = await startStub();
});
after(() => stub.close());
beforeEach(() => stub.reset());

function one() {
  assert.equal(
    stub.requests.length,
    1,
    `one request, got ${stub.requests.map((r) => `${r.method} ${r.url}`).join(", ")}`,
  );
  return stub.requests[0]!;
}

test("every request carries Authorization: bearer <token> and X-Tsuru-Verbosity: 0", async () => {
  stub.on("GET", "/1.0/users/info", { body: { Email: "a@b.io", Roles: [], Permissions: [] } });
  const r = await runCli(["user", "info"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const req = one();
  assert.equal(req.headers["authorization"], `bearer ${TOKEN}`);
  assert.equal(req.headers["x-tsuru-verbosity"], "0");
  assert.equal(req.headers["connection"], "close");
  assert.match(r.stdout, /Email: a@b\.io/);
});

test("login reads the scheme without auth, posts the password form to /1.0/users/{email}/tokens, stores the token", async () => {
  const home = mkdtempSync(join(tmpdir(), "wharf-login-"));
  stub.on("GET", "/1.0/auth/scheme", { body: { name: "native", data: null } });
  stub.on("POST", "/1.0/users/dev@example.com/tokens", { body: { token: "new-session-token" } });
  assert.equal((await runCli(["target", "add", "local", stub.url, "--set"], { home })).code, 0);
  const r = await runCli(["login", "dev@example.com"], { home, input: "s3cret pass\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Successfully logged in!\n");
  const [scheme, login] = stub.requests;
  assert.equal(scheme?.method, "GET");
  assert.equal(scheme?.headers["authorization"], undefined);
  assert.equal(login?.method, "POST");
  assert.equal(login?.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(login?.body, "password=s3cret");
  assert.equal(login?.headers["authorization"], undefined);
  assert.ok(!r.stdout.includes("new-session-token") && !r.stderr.includes("s3cret"), "never prints secrets");
  assert.equal(readFileSync(join(home, "token.d", "local"), "utf8").trim(), "new-session-token");

  // The stored token is used by later commands.
  stub.reset();
  stub.on("GET", "/1.0/users/info", { body: { Email: "dev@example.com" } });
  assert.equal((await runCli(["user", "info"], { home })).code, 0);
  assert.equal(one().headers["authorization"], "bearer new-session-token");
});

test("login with wrong credentials exits 1 and says so", async () => {
  stub.on("POST", "/1.0/users/dev@example.com/tokens", { status: 401, body: "invalid password\n" });
  const r = await runCli(["login", "dev@example.com"], { env: { WHARF_TARGET: stub.url }, input: "nope\n" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: login failed: wrong email or password/);
});

test("login with nothing on stdin fails before sending the password", async () => {
  stub.on("GET", "/1.0/auth/scheme", { body: { name: "native", data: null } });
  const r = await runCli(["login", "dev@example.com"], { env: { WHARF_TARGET: stub.url }, input: "" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /provide the password/);
  assert.ok(stub.requests.every((q) => q.method === "GET"));
});

test("logout sends DELETE /1.0/users/tokens and removes the local token", async () => {
  const home = mkdtempSync(join(tmpdir(), "wharf-logout-"));
  stub.on("GET", "/1.0/auth/scheme", { body: { name: "native", data: null } });
  stub.on("POST", "/1.0/users/a@b.io/tokens", { body: { token: "tk" } });
  await runCli(["target", "add", "s", stub.url, "-s"], { home });
  await runCli(["login", "a@b.io"], { home, input: "pw\n" });
  stub.reset();
  stub.on("DELETE", "/1.0/users/tokens", { status: 200 });
  const r = await runCli(["logout"], { home });
  assert.equal(r.code, 0, r.stderr);
  const req = one();
  assert.equal(req.method, "DELETE");
  assert.equal(req.url, "/1.0/users/tokens");
  assert.equal(req.headers["authorization"], "bearer tk");
  assert.equal(existsSync(join(home, "token.d", "s")), false);
  assert.equal(existsSync(join(home, "token")), false);
});

test("user create posts email and password as a form", async () => {
  stub.on("POST", "/1.0/users", { status: 201 });
  const r = await runCli(["user", "create", "new@x.io"], { env: env(), input: "pw123456\n" });
  assert.equal(r.code, 0, r.stderr);
  const req = one();
  assert.equal(req.body, "email=new%40x.io&password=pw123456");
  assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
});

test("user create on 404 says registration is disabled", async () => {
  const r = await runCli(["user", "create", "new@x.io"], { env: env(), input: "pw\n" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /user creation is disabled/);
});

test("user list builds tsuru's three-key query", async () => {
  stub.on("GET", "/1.0/users?userEmail=&role=admin&context=", {
    body: [{ Email: "a@b.io", Roles: [{ Name: "admin", ContextType: "global", ContextValue: "" }] }],
  });
  const r = await runCli(["user", "list", "-r", "admin"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| a@b\.io \| admin\(global\) \|/);
});

test("user remove with -y sends DELETE /1.0/users?user=<escaped email>", async () => {
  stub.on("DELETE", "/1.0/users?user=old%40x.io", { status: 200 });
  const r = await runCli(["user", "remove", "old@x.io", "-y"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().method, "DELETE");
});

test("user remove without -y and without a terminal refuses with exit 2 and sends nothing", async () => {
  const r = await runCli(["user", "remove", "old@x.io"], { env: env() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /pass -y/);
  assert.equal(stub.requests.length, 0);
});

test("team create sends JSON {name,tags} with a trailing newline", async () => {
  stub.on("POST", "/1.0/teams", { status: 201 });
  const r = await runCli(["team", "create", "devs", "-t", "a", "-t", "b"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const req = one();
  assert.equal(req.headers["content-type"], "application/json");
  assert.equal(req.body, '{"name":"devs","tags":["a","b"]}\n');
});

test("team create leaves tags out when none are given", async () => {
  stub.on("POST", "/1.0/teams", { status: 201 });
  await runCli(["team", "create", "devs"], { env: env() });
  assert.equal(one().body, '{"name":"devs"}\n');
});

test("team list: 204 is an empty list; --json prints []", async () => {
  stub.on("GET", "/1.0/teams", { status: 204 });
  const r = await runCli(["team", "list", "--json"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
  assert.equal(one().headers["accept"], "application/json");
});

test("team info uses GET /1.4/teams/{team}", async () => {
  stub.on("GET", "/1.4/teams/devs", {
    body: { name: "devs", tags: [], users: [], pools: [], apps: [{ name: "web", pool: "p" }] },
  });
  const r = await runCli(["team", "info", "devs"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Applications: 1/);
});

test("team remove -y sends DELETE /1.0/teams/{team}", async () => {
  stub.on("DELETE", "/1.0/teams/devs", { status: 200 });
  assert.equal((await runCli(["team", "remove", "devs", "-y"], { env: env() })).code, 0);
  assert.equal(one().method, "DELETE");
});

test("role add posts context, description and name", async () => {
  stub.on("POST", "/1.0/roles", { status: 201 });
  const r = await runCli(["role", "add", "deployer", "team", "-d", "can deploy"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "context=team&description=can+deploy&name=deployer");
});

test("role permission add repeats the permission key", async () => {
  stub.on("POST", "/1.0/roles/deployer/permissions", { status: 200 });
  await runCli(["role", "permission", "add", "deployer", "app.deploy", "app.read"], { env: env() });
  assert.equal(one().body, "permission=app.deploy&permission=app.read");
});

test("role assign to an email posts to /1.0/roles/{r}/user; to a token id to /1.6/roles/{r}/token", async () => {
  stub.on("POST", "/1.0/roles/deployer/user", { status: 200 });
  stub.on("POST", "/1.6/roles/deployer/token", { status: 200 });
  await runCli(["role", "assign", "deployer", "u@x.io", "devs"], { env: env() });
  await runCli(["role", "assign", "deployer", "ci-token", "devs"], { env: env() });
  assert.equal(stub.requests[0]?.body, "context=devs&email=u%40x.io");
  assert.equal(stub.requests[1]?.body, "context=devs&token_id=ci-token");
});

test("role dissociate sends DELETE with the context in the query", async () => {
  stub.on("DELETE", "/1.0/roles/deployer/user/u@x.io?context=devs", { status: 200 });
  const r = await runCli(["role", "dissociate", "deployer", "u@x.io", "devs"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
});

test("permission list shows the root permission as *", async () => {
  stub.on("GET", "/1.0/permissions", {
    body: [
      { Name: "", Contexts: ["global"] },
      { Name: "app", Contexts: ["global", "app"] },
    ],
  });
  const r = await runCli(["permission", "list"], { env: env() });
  assert.match(r.stdout, /\| \* +\| global +\|/);
  assert.match(r.stdout, /\| app +\| global, app \|/);
});

test("token create posts JSON to /1.6/tokens with expires_in in seconds", async () => {
  stub.on("POST", "/1.6/tokens", { status: 201, body: { token_id: "ci", token: "team-secret" } });
  const r = await runCli(["token", "create", "--id", "ci", "-t", "devs", "-d", "for CI", "-e", "3600"], {
    env: env(),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(one().body), {
    token_id: "ci",
    description: "for CI",
    expires_in: 3600,
    team: "devs",
  });
  assert.equal(r.stdout, 'Token "ci" created: team-secret\n');
});

test("token list masks token values in tables and --json", async () => {
  stub.on("GET", "/1.6/tokens", {
    body: [{ token: "team-secret", token_id: "ci", team: "devs", roles: [] }],
  });
  const table = await runCli(["token", "list"], { env: env() });
  const json = await runCli(["token", "list", "--json"], { env: env() });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /\| ci +\| devs/);
  for (const out of [table.stdout, json.stdout]) assert.ok(!out.includes("team-secret"));
});

test("token remove sends DELETE /1.6/tokens/{id}", async () => {
  stub.on("DELETE", "/1.6/tokens/ci", { status: 200 });
  assert.equal((await runCli(["token", "remove", "ci"], { env: env() })).code, 0);
});

test("user change-password sends confirm, new and old as a form", async () => {
  stub.on("PUT", "/1.0/users/password", { status: 200 });
  const r = await runCli(["user", "change-password"], { env: env(), input: "old-pw new-pw new-pw\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "confirm=new-pw&new=new-pw&old=old-pw");
});

test("user change-password with a mismatched confirmation sends nothing", async () => {
  const r = await runCli(["user", "change-password"], { env: env(), input: "old-pw new-pw typo\n" });
  assert.equal(r.code, 1);
  assert.equal(stub.requests.length, 0);
});
