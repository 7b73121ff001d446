// The CLI speaks tsuru's wire contract: pools, platforms, plans, apps, env, cnames, events.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli, jsonStream, runCli, startStub, type Stub } from "./helpers.js";

let stub: Stub;
const env = () => ({ WHARF_TARGET: stub.url, WHARF_TOKEN: "tk" });

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

test("pool add sends every key with true/false values", async () => {
  stub.on("POST", "/1.0/pools", { status: 201 });
  const r = await runCli(["pool", "add", "p1", "-d"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "default=true&force=false&name=p1&provisioner=&public=false");
  assert.equal(r.stdout, "Pool successfully registered.\n");
});

test("pool update sends empty values for flags not given", async () => {
  stub.on("PUT", "/1.0/pools/p1", { status: 200 });
  await runCli(["pool", "update", "p1", "--public", "true"], { env: env() });
  assert.equal(one().body, "default=&force=false&public=true");
});

test("pool add on 412 without a terminal does not force; it tells the user to confirm", async () => {
  stub.on("POST", "/1.0/pools", { status: 412, body: "Default pool already exists.\n" });
  const r = await runCli(["pool", "add", "p2", "-d"], { env: env() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /pass -f/);
  assert.equal(stub.requests.length, 1);
});

test("platform add sends multipart with name and a Dockerfile part, then relays the stream", async () => {
  stub.on("POST", "/1.0/platforms", jsonStream({ Message: "building\n" }));
  const r = await runCli(["platform", "add", "python", "-i", "python:3.12"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const req = one();
  const m = /^multipart\/form-data; boundary=(\S+)$/.exec(String(req.headers["content-type"]));
  assert.ok(m, "multipart content type with a boundary");
  const b = m[1]!;
  assert.equal(
    req.body,
    `--${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\npython\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="dockerfile_content"; filename="Dockerfile"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\nFROM python:3.12\r\n--${b}--\r\n`,
  );
  assert.equal(r.stdout, 'building\nPlatform "python" successfully added!\n');
});

test("platform update --disable sends only the disabled field", async () => {
  stub.on("PUT", "/1.0/platforms/python", jsonStream());
  assert.equal((await runCli(["platform", "update", "python", "--disable"], { env: env() })).code, 0);
  const body = one().body;
  assert.match(body, /name="disabled"\r\n\r\ntrue\r\n/);
  assert.doesNotMatch(body, /dockerfile_content/);
});

test("plan create sends sizes as typed", async () => {
  stub.on("POST", "/1.0/plans", { status: 201 });
  const r = await runCli(["plan", "create", "small", "-c", "100", "-m", "128M", "-d"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "cpushare=100&default=true&memory=128M&name=small&swap=0");
});

test("pool list renders kind and teams; --json passes the server's data", async () => {
  const pools = [
    {
      name: "shared",
      public: true,
      default: false,
      provisioner: "",
      teams: [],
      allowed: { team: ["*"], router: ["r1"] },
    },
    { name: "devs-only", public: false, default: false, provisioner: "docker", allowed: { team: ["devs"] } },
  ];
  stub.on("GET", "/1.0/pools", { body: pools });
  const r = await runCli(["pool", "list"], { env: env() });
  assert.match(r.stdout, /\| shared +\| public +\| default +\| +\| r1 +\|/);
  assert.match(r.stdout, /\| devs-only +\| +\| docker +\| devs +\|/);
  const j = await runCli(["pool", "list", "--json"], { env: env() });
  assert.deepEqual(JSON.parse(j.stdout), pools);
});

test("pool teams add/remove use POST form and DELETE query", async () => {
  stub.on("POST", "/1.0/pools/p1/team", { status: 200 });
  stub.on("DELETE", "/1.0/pools/p1/team?team=a&team=b", { status: 200 });
  assert.equal((await runCli(["pool", "teams", "add", "p1", "a", "b"], { env: env() })).code, 0);
  assert.equal((await runCli(["pool", "teams", "remove", "p1", "a", "b"], { env: env() })).code, 0);
  assert.equal(stub.requests[0]?.body, "team=a&team=b");
});

test("pool constraint set sends PUT /1.3/constraints with indexed values and escaped PoolExpr", async () => {
  stub.on("PUT", "/1.3/constraints", { status: 200 });
  const r = await runCli(["pool", "constraint", "set", "*", "team", "a,b", "c"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    one().body,
    "Blacklist=&Field=team&PoolExpr=%2A&Values.0=a&Values.1=b&Values.2=c&append=false",
  );
});

test("pool constraint set rejects an unknown field locally with exit 2", async () => {
  const r = await runCli(["pool", "constraint", "set", "*", "color", "red"], { env: env() });
  assert.equal(r.code, 2);
  assert.equal(stub.requests.length, 0);
});

test("platform list and info use /1.0/platforms and /1.6/platforms/{name}", async () => {
  stub.on("GET", "/1.0/platforms", {
    body: [
      { Name: "python", Disabled: false },
      { Name: "go", Disabled: true },
    ],
  });
  stub.on("GET", "/1.6/platforms/python", {
    body: { platform: { Name: "python" }, images: ["r/p:v1", "r/p:v2"] },
  });
  assert.equal((await runCli(["platform", "list"], { env: env() })).stdout, "- go (disabled)\n- python\n");
  const info = await runCli(["platform", "info", "python"], { env: env() });
  assert.match(info.stdout, /Images:\n - r\/p:v2\n - r\/p:v1/);
});

test("plan list shows memory in MB", async () => {
  stub.on("GET", "/1.0/plans", {
    body: [{ name: "small", memory: 134217728, swap: 0, cpushare: 100, default: true }],
  });
  const r = await runCli(["plan", "list"], { env: env() });
  assert.match(r.stdout, /\| small +\| 128M +\| 0M +\| 100 +\| true +\|/);
});

test("app create sends tsuru's exact form, every key present", async () => {
  stub.on("POST", "/1.0/apps", {
    status: 201,
    body: { status: "success", repository_url: "", ip: "web.local" },
  });
  const r = await runCli(
    [
      "app",
      "create",
      "myapp",
      "python",
      "-p",
      "small",
      "-r",
      "hipache",
      "-o",
      "pool1",
      "-t",
      "admin",
      "-d",
      "desc",
      "-g",
      "t1",
      "-g",
      "t2",
      "--router-opts",
      "a=b",
      "--router-opts",
      "c=d",
    ],
    { env: env() },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    one().body,
    "description=desc&name=myapp&plan=small&platform=python&pool=pool1&router=hipache&routeropts.a=b&routeropts.c=d&tag=t1&tag=t2&teamOwner=admin",
  );
  assert.equal(r.stdout, 'App "myapp" has been created!\n');
});

test("app create without options sends empty keys and routeropts=", async () => {
  stub.on("POST", "/1.0/apps", { status: 201, body: { status: "success" } });
  await runCli(["app", "create", "myapp"], { env: env() });
  assert.equal(one().body, "description=&name=myapp&plan=&platform=&pool=&router=&routeropts=&teamOwner=");
});

test("app create error body is printed after Error: with exit 1", async () => {
  stub.on("POST", "/1.0/apps", { status: 409, body: "there is already an app with this name\n" });
  const r = await runCli(["app", "create", "myapp"], { env: env() });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "Error: there is already an app with this name\n");
});

test("app list without filters sends GET /1.0/apps? and filters are sorted query keys", async () => {
  stub.on("GET", "/1.0/apps?", { status: 204 });
  stub.on("GET", "/1.0/apps?locked=true&pool=p1&tag=a&tag=b&teamOwner=devs", { body: [] });
  assert.equal((await runCli(["app", "list"], { env: env() })).code, 0);
  const r = await runCli(["app", "list", "-o", "p1", "-t", "devs", "-l", "-g", "a", "-g", "b"], {
    env: env(),
  });
  assert.equal(r.code, 0, r.stderr);
});

test("app list --json prints the array; -q prints names", async () => {
  const apps = [
    { name: "web", units: [{ ID: "x", Status: "started" }], cname: [], routers: [{ address: "web.local" }] },
  ];
  stub.on("GET", "/1.0/apps?", { body: apps });
  stub.on("GET", "/1.0/apps?simplified=true", { body: apps });
  assert.deepEqual(JSON.parse((await runCli(["app", "list", "--json"], { env: env() })).stdout), apps);
  assert.equal((await runCli(["app", "list", "-q"], { env: env() })).stdout, "web\n");
  assert.match(
    (await runCli(["app", "list"], { env: env() })).stdout,
    /\| web +\| 1 started \| web\.local \|/,
  );
});

test("app info -a NAME reads the app, then quota and service instances", async () => {
  stub.on("GET", "/1.0/apps/web", {
    body: { name: "web", platform: "python", teams: ["devs"], teamowner: "devs", units: [] },
  });
  stub.on("GET", "/1.0/apps/web/quota", { body: { limit: 4, inuse: 1 } });
  const r = await runCli(["app", "info", "-a", "web"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Application: web\n/);
  assert.match(r.stdout, /Quota: 1\/4 units/);
  assert.deepEqual(
    stub.requests.map((q) => q.url),
    ["/1.0/apps/web", "/1.0/apps/web/quota", "/1.0/services/instances?app=web"],
  );
});

test("-a defaults to the app linked in the current directory or a parent", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-linked-"));
  assert.equal((await runCli(["app", "link", "linked"], { cwd: dir })).code, 0);
  const sub = join(dir, "src", "deep");
  mkdirSync(sub, { recursive: true });
  stub.on("GET", "/1.0/apps/linked/env?", { body: [] });
  const r = await runCli(["env", "get"], { env: env(), cwd: sub });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().url, "/1.0/apps/linked/env?");
});

test("app update sends every key but tag and relays the x-json-stream", async () => {
  stub.on("PUT", "/1.0/apps/web", jsonStream({ Message: "---- Updating app ----\n" }));
  const r = await runCli(["app", "update", "-a", "web", "-p", "large"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "description=&imageReset=false&plan=large&platform=&pool=&teamOwner=");
  assert.equal(r.stdout, '---- Updating app ----\nApp "web" has been updated!\n');
});

test("app remove -y streams progress; an Error line in the stream exits 1", async () => {
  stub.on("DELETE", "/1.0/apps/web", jsonStream({ Message: "removing\n" }, { Error: "units are stuck" }));
  const r = await runCli(["app", "remove", "-a", "web", "-y"], { env: env() });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "removing\n");
  assert.equal(r.stderr, "Error: units are stuck\n");
});

test("app grant/revoke use PUT/DELETE /1.0/apps/{app}/teams/{team} with no body", async () => {
  stub.on("PUT", "/1.0/apps/web/teams/ops", { status: 200 });
  stub.on("DELETE", "/1.0/apps/web/teams/ops", { status: 200 });
  assert.equal((await runCli(["app", "grant", "ops", "-a", "web"], { env: env() })).code, 0);
  assert.equal((await runCli(["app", "revoke", "ops", "-a", "web"], { env: env() })).code, 0);
  assert.equal(stub.requests[0]?.body, "");
  assert.equal(stub.requests[0]?.headers["content-type"], undefined);
});

test("env get asks for names with repeated env keys and masks private values", async () => {
  stub.on("GET", "/1.0/apps/web/env?env=A&env=S", {
    body: [
      { name: "S", value: "hidden-value", alias: "", public: false },
      { name: "A", value: "1", alias: "", public: true },
    ],
  });
  const r = await runCli(["env", "get", "-a", "web", "A", "S"], { env: env() });
  assert.equal(r.stdout, "A=1\nS=*** (private variable)\n");
  const j = await runCli(["env", "get", "-a", "web", "A", "S", "--json"], { env: env() });
  assert.ok(!j.stdout.includes("hidden-value"));
  assert.equal(JSON.parse(j.stdout)[1].public, false);
});

test("env set sends Envs.N.Name/Value, NoRestart and Private", async () => {
  stub.on(
    "POST",
    "/1.0/apps/web/env",
    jsonStream({ Message: "---- Setting 2 new environment variables ----\n" }),
  );
  const r = await runCli(["env", "set", "-a", "web", "FOO=bar", "BAZ=a=b", "-p", "--no-restart"], {
    env: env(),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    one().body,
    "Envs.0.Name=FOO&Envs.0.Value=bar&Envs.1.Name=BAZ&Envs.1.Value=a%3Db&NoRestart=true&Private=true",
  );
  assert.equal(r.stdout, "---- Setting 2 new environment variables ----\n");
});

test("env set with a malformed assignment is a usage error before any request", async () => {
  const r = await runCli(["env", "set", "-a", "web", "FOO"], { env: env() });
  assert.equal(r.code, 2);
  assert.equal(stub.requests.length, 0);
});

test("env unset sends DELETE with env keys and noRestart", async () => {
  stub.on("DELETE", "/1.0/apps/web/env?env=A&env=B&noRestart=false", jsonStream({ Message: "ok\n" }));
  const r = await runCli(["env", "unset", "-a", "web", "A", "B"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
});

test("cname add posts cname keys; remove sends them in the query", async () => {
  stub.on("POST", "/1.0/apps/web/cname", { status: 200 });
  stub.on("DELETE", "/1.0/apps/web/cname?cname=a.io&cname=b.io", { status: 200 });
  assert.equal((await runCli(["cname", "add", "a.io", "b.io", "-a", "web"], { env: env() })).code, 0);
  assert.equal((await runCli(["cname", "remove", "a.io", "b.io", "-a", "web"], { env: env() })).code, 0);
  assert.equal(stub.requests[0]?.body, "cname=a.io&cname=b.io");
});

test("event list sends every filter key on /1.1/events", async () => {
  const q =
    "/1.1/events?allowedtargets=&erroronly=&includeremoved=&kindname=app.deploy&kindname=app.create&kindtype=&limit=" +
    "&ownername=admin%40example.com&ownertype=&permissions=&raw=&running=true&since=&skip=&sort=&target.type=app&target.value=myapp&until=";
  stub.on("GET", q, { status: 204 });
  const r = await runCli(
    [
      "event",
      "list",
      "-k",
      "app.deploy",
      "-k",
      "app.create",
      "-o",
      "admin@example.com",
      "-t",
      "app",
      "-v",
      "myapp",
      "-r",
    ],
    { env: env() },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().url, q);
});

test("event info renders the event and its log", async () => {
  stub.on("GET", "/1.1/events/5d93463a1b0e8b0001a2b3c4", {
    body: {
      UniqueID: "5d93463a1b0e8b0001a2b3c4",
      StartTime: "2026-01-01T00:00:00Z",
      EndTime: "2026-01-01T00:00:01Z",
      Target: { Type: "app", Value: "web" },
      Kind: { Type: "permission", Name: "app.create" },
      Owner: { Type: "user", Name: "a@b.io" },
      Log: "line 1\nline 2\n",
    },
  });
  const r = await runCli(["event", "info", "5d93463a1b0e8b0001a2b3c4"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Kind: +permission\(app\.create\)/);
  assert.match(r.stdout, /Log:\n {4}line 1\n {4}line 2/);
});
