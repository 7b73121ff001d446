// Errors that say what to do, and exit codes scripts can trust.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { buildCli, runCli, startStub, type Stub } from "./helpers.js";

let stub: Stub;

before(async () => {
  buildCli();
  stub = await startStub();
});
after(() => stub.close());
beforeEach(() => stub.reset());

test("without a target: exit 1 and a hint to run wharf target add", async () => {
  const r = await runCli(["app", "list"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no target set: run `wharf target add NAME URL --set`/);
});

test("without a token a 401 says to run wharf login, and no Authorization header is sent", async () => {
  stub.on("GET", "/1.0/apps?", { status: 401, body: "You must provide a valid Authorization header\n" });
  const r = await runCli(["app", "list"], { env: { WHARF_TARGET: stub.url } });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "Error: not logged in: run `wharf login`\n");
  assert.equal(stub.requests[0]?.headers["authorization"], undefined);
});

test("with a stale token a 401 says the session expired and never prints the token", async () => {
  stub.on("GET", "/1.0/apps?", { status: 401 });
  const r = await runCli(["app", "list"], {
    env: { WHARF_TARGET: stub.url, WHARF_TOKEN: "very-secret-token" },
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /session has expired.*run `wharf login`/);
  assert.ok(!r.stderr.includes("very-secret-token") && !r.stdout.includes("very-secret-token"));
});

test("a 403 or 404 prints the server's sentence and exits 1", async () => {
  stub.on("GET", "/1.0/apps/nope", { status: 404, body: "App nope not found.\n" });
  const r = await runCli(["app", "info", "-a", "nope"], {
    env: { WHARF_TARGET: stub.url, WHARF_TOKEN: "t" },
  });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "Error: App nope not found.\n");
});

test("an unreachable server: exit 1 and a hint to check the target", async () => {
  const r = await runCli(["team", "list"], { env: { WHARF_TARGET: "http://127.0.0.1:1", WHARF_TOKEN: "t" } });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /failed to connect to the Wharf server at http:\/\/127\.0\.0\.1:1 .*wharf target list/,
  );
});

test("usage errors exit 2: missing argument, unknown option, missing app", async () => {
  const env = { WHARF_TARGET: stub.url, WHARF_TOKEN: "t" };
  assert.equal((await runCli(["app", "create"], { env })).code, 2);
  assert.equal((await runCli(["team", "list", "--nope"], { env })).code, 2);
  const noApp = await runCli(["env", "get"], { env });
  assert.equal(noApp.code, 2);
  assert.match(noApp.stderr, /pass -a NAME, or run `wharf app link NAME`/);
  assert.equal(stub.requests.length, 0);
});

test("target add/list/set/remove are local and send no HTTP", async () => {
  const home = (await import("node:fs")).mkdtempSync(
    (await import("node:path")).join((await import("node:os")).tmpdir(), "wharf-t-"),
  );
  assert.equal((await runCli(["target", "add", "one", "127.0.0.1:1234"], { home })).code, 0);
  assert.equal((await runCli(["target", "add", "two", stub.url, "-s"], { home })).code, 0);
  assert.equal(
    (await runCli(["target", "list"], { home })).stdout,
    `  one (http://127.0.0.1:1234)\n* two (${stub.url})\n`,
  );
  assert.equal((await runCli(["target", "set", "one"], { home })).code, 0);
  const listed = JSON.parse((await runCli(["target", "list", "--json"], { home })).stdout);
  assert.deepEqual(
    listed.map((t: { label: string; current: boolean }) => [t.label, t.current]),
    [
      ["one", true],
      ["two", false],
    ],
  );
  assert.equal((await runCli(["target", "remove", "two"], { home })).code, 0);
  assert.equal((await runCli(["target", "set", "two"], { home })).code, 1);
  assert.equal(stub.requests.length, 0);
});

test("--target overrides the configured target for one command", async () => {
  stub.on("GET", "/1.0/plans", { status: 204 });
  const r = await runCli(["plan", "list", "--target", stub.url], {
    env: { WHARF_TARGET: "http://127.0.0.1:1" },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "No plans available.\n");
});

test("--verbosity 2 shows the request line and status on stderr, never the token", async () => {
  stub.on("GET", "/1.0/plans", { status: 204 });
  const r = await runCli(["plan", "list", "--verbosity", "2"], {
    env: { WHARF_TARGET: stub.url, WHARF_TOKEN: "very-secret-token" },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `> GET ${stub.url}/1.0/plans\n< 204 \n`);
  assert.equal(stub.requests[0]?.headers["x-tsuru-verbosity"], "2");
});
