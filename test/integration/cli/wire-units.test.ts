// Units, app lifecycle, app run, deploy list/rollback and app info's units on the wire.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
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

test("unit add sends PUT /1.0/apps/APP/units with process and units, relays the stream", async () => {
  stub.on("PUT", "/1.0/apps/web/units", jsonStream({ Message: "---- adding 2 units ----\n" }));
  const r = await runCli(["unit", "add", "2", "-a", "web", "-p", "worker"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const req = one();
  assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(req.body, "process=worker&units=2");
  assert.equal(r.stdout, "---- adding 2 units ----\nUnits successfully added!\n");
});

test("unit add without -p sends an empty process (the server picks the only one)", async () => {
  stub.on("PUT", "/1.0/apps/web/units", jsonStream());
  assert.equal((await runCli(["unit", "add", "1", "-a", "web"], { env: env() })).code, 0);
  assert.equal(one().body, "process=&units=1");
});

test("unit remove sends DELETE with process and units in the query", async () => {
  stub.on("DELETE", "/1.0/apps/web/units?process=web&units=3", jsonStream({ Message: "removed\n" }));
  const r = await runCli(["unit", "remove", "3", "-a", "web", "-p", "web"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "");
  assert.equal(r.stdout, "removed\nUnits successfully removed!\n");
});

test("unit remove whose stream ends with an Error exits 1 and prints it", async () => {
  stub.on(
    "DELETE",
    "/1.0/apps/web/units?process=web&units=5",
    jsonStream({ Error: 'cannot remove 5 units from process "web", only 2 available' }),
  );
  const r = await runCli(["unit", "remove", "5", "-a", "web", "-p", "web"], { env: env() });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error: cannot remove 5 units from process "web", only 2 available\n');
  assert.doesNotMatch(r.stdout, /successfully/);
});

test("unit add with a bad count is a usage error and sends nothing", async () => {
  const r = await runCli(["unit", "add", "0", "-a", "web"], { env: env() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid number of units "0"/);
  assert.equal(stub.requests.length, 0);
});

test("unit add uses the app linked to the directory when -a is left out", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-linked-"));
  assert.equal((await runCli(["app", "link", "linked"], { env: env(), cwd: dir })).code, 0);
  stub.on("PUT", "/1.0/apps/linked/units", jsonStream());
  assert.equal((await runCli(["unit", "add", "1"], { env: env(), cwd: dir })).code, 0);
  assert.equal(one().url, "/1.0/apps/linked/units");
});

for (const op of ["start", "stop", "restart"] as const) {
  test(`app ${op} sends POST /1.0/apps/APP/${op} with process=, relays the stream`, async () => {
    stub.on("POST", `/1.0/apps/web/${op}`, jsonStream({ Message: `---- ${op} ----\n` }));
    const r = await runCli(["app", op, "-a", "web", "-p", "worker"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(one().body, "process=worker");
    assert.match(
      r.stdout,
      new RegExp(`^---- ${op} ----\\nApp "web" has been ${op}(p?ed) \\(process worker\\)\\.\\n$`),
    );
  });
}

test("app restart without -p sends an empty process", async () => {
  stub.on("POST", "/1.0/apps/web/restart", jsonStream());
  assert.equal((await runCli(["app", "restart", "-a", "web"], { env: env() })).code, 0);
  assert.equal(one().body, "process=");
});

test("app run sends command (words joined), isolated and once; output is relayed", async () => {
  stub.on("POST", "/1.0/apps/web/run", jsonStream({ Message: "total 4\n" }, { Message: "app.js\n" }));
  const r = await runCli(["app", "run", "-a", "web", "--once", "--", "ls", "-la", "/home"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "command=ls+-la+%2Fhome&isolated=false&once=true");
  assert.equal(r.stdout, "total 4\napp.js\n");
});

test("app run -i runs isolated; a failing command's Error line exits 1", async () => {
  stub.on(
    "POST",
    "/1.0/apps/web/run",
    jsonStream({ Message: "boom\n" }, { Error: "unexpected exit code: 3" }),
  );
  const r = await runCli(["app", "run", "-a", "web", "-i", "false"], { env: env() });
  assert.equal(r.code, 1);
  assert.equal(one().body, "command=false&isolated=true&once=false");
  assert.equal(r.stdout, "boom\n");
  assert.equal(r.stderr, "Error: unexpected exit code: 3\n");
});

const DEPLOYS = [
  {
    ID: "5d93463a1b0e8b0001a2b3c4",
    App: "web",
    Timestamp: "2026-01-01T10:00:00Z",
    Duration: 5000000000,
    Image: "registry.local/web:v1",
    User: "a@x.io",
    Origin: "app-deploy",
    CanRollback: true,
    Error: "",
  },
  {
    ID: "5d93463a1b0e8b0001a2b3c5",
    App: "web",
    Timestamp: "2026-01-02T10:00:00Z",
    Duration: 7000000000,
    Image: "registry.local/web:v2",
    User: "a@x.io",
    Origin: "image",
    CanRollback: true,
    Error: "",
  },
];

test("app deploy list sends GET /1.0/deploys?app=APP&limit=10 and shows newest first", async () => {
  stub.on("GET", "/1.0/deploys?app=web&limit=10", { body: DEPLOYS });
  const r = await runCli(["app", "deploy", "list", "-a", "web"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  one();
  assert.match(r.stdout, /Image \(Rollback\) +\| Origin +\| User +\| Date \(Duration\) +\| Error/);
  assert.ok(r.stdout.indexOf("registry.local/web:v2 (*)") < r.stdout.indexOf("registry.local/web:v1 (*)"));
  assert.match(r.stdout, /\| registry\.local\/web:v2 \(\*\) \| image +\| a@x\.io \| .*\(7s\) \|/);
});

test("app deploy list --json prints the deploys newest first; 204 prints that there is none", async () => {
  stub.on("GET", "/1.0/deploys?app=web&limit=10", { body: DEPLOYS });
  const j = await runCli(["app", "deploy", "list", "-a", "web", "--json"], { env: env() });
  assert.deepEqual(JSON.parse(j.stdout), [DEPLOYS[1], DEPLOYS[0]]);
  stub.reset();
  stub.on("GET", "/1.0/deploys?app=web&limit=10", { status: 204 });
  const r = await runCli(["app", "deploy", "list", "-a", "web"], { env: env() });
  assert.equal(r.stdout, "App web has no deploy.\n");
});

test("tsuru's app-deploy-list spelling runs the same request", async () => {
  stub.on("GET", "/1.0/deploys?app=web&limit=10", { body: DEPLOYS });
  assert.equal((await runCli(["app-deploy-list", "-a", "web"], { env: env() })).code, 0);
  assert.equal(one().url, "/1.0/deploys?app=web&limit=10");
});

test("app deploy rollback -y sends POST .../deploy/rollback image=VERSION&origin=rollback", async () => {
  stub.on("POST", "/1.0/apps/web/deploy/rollback", jsonStream({ Message: "rolling back to v1\n" }));
  const r = await runCli(["app", "deploy", "rollback", "v1", "-a", "web", "-y"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "image=v1&origin=rollback");
  assert.equal(r.stdout, "rolling back to v1\n");
});

test("app deploy rollback without -y and without a terminal refuses and sends nothing", async () => {
  const r = await runCli(["app", "deploy", "rollback", "v1", "-a", "web"], { env: env() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /pass -y to confirm/);
  assert.equal(stub.requests.length, 0);
});

test("app deploy rollback of a version the server refuses shows its error and exits 1", async () => {
  stub.on("POST", "/1.0/apps/web/deploy/rollback", {
    status: 400,
    body: "version v9 not found for app web\n",
  });
  const r = await runCli(["app", "deploy", "rollback", "v9", "-a", "web", "-y"], { env: env() });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "Error: version v9 not found for app web\n");
});

const UNIT = (id: string, proc: string, node: string, port: number, status: string) => ({
  ID: id,
  Name: `web-${id}`,
  AppName: "web",
  ProcessName: proc,
  Type: "node",
  IP: node,
  Status: status,
  Address: {
    Scheme: "http",
    Opaque: "",
    User: null,
    Host: `${node}:${port}`,
    Path: "",
    RawPath: "",
    ForceQuery: false,
    RawQuery: "",
    Fragment: "",
  },
  Addresses: null,
  Version: 2,
  Routable: true,
});

const INFO = {
  name: "web",
  platform: "node",
  teams: ["t1"],
  teamowner: "t1",
  owner: "a@x.io",
  pool: "p1",
  deploys: 2,
  units: [
    UNIT("c0ffee0000000000000000aa", "web", "10.0.0.2", 40001, "started"),
    UNIT("c0ffee0000000000000000bb", "worker", "10.0.0.3", 40002, "starting"),
  ],
  routers: [{ name: "r", address: "web.apps.local" }],
};

test("app info shows each unit's id, process, node, address and status", async () => {
  stub.on("GET", "/1.0/apps/web", { body: INFO });
  stub.on("GET", "/1.0/apps/web/quota", { body: { limit: -1, inuse: 2 } });
  stub.on("GET", "/1.0/services/instances?app=web", { body: [] });
  const r = await runCli(["app", "info", "-a", "web"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Units: 2$/m);
  assert.match(r.stdout, /\| Unit +\| Process \| Node +\| Address +\| Status +\|/);
  assert.match(r.stdout, /\| c0ffee000000 \| web +\| 10\.0\.0\.2 \| 10\.0\.0\.2:40001 \| started +\|/);
  assert.match(r.stdout, /\| c0ffee000000 \| worker +\| 10\.0\.0\.3 \| 10\.0\.0\.3:40002 \| starting \|/);
});

test("app info --json passes the server's JSON through, units included", async () => {
  stub.on("GET", "/1.0/apps/web", { body: INFO });
  const r = await runCli(["app", "info", "-a", "web", "--json"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), INFO);
  assert.equal(one().url, "/1.0/apps/web");
});
