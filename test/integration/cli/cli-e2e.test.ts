// End to end: the built `wharf` CLI against the real server (`wharf server`, SQLite in a
// temp dir). A new user is created, logs in with wharf, creates a team and an app, sets
// and reads env (private masked), lists with --json and sees the events.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli, runCli } from "./helpers.js";
import { spawnServer, stopServer } from "../../support/server-process.js";

const dir = mkdtempSync(join(tmpdir(), "wharf-cli-e2e-"));
const adminHome = join(dir, "admin-home");
const devHome = join(dir, "dev-home");
let server: ChildProcess | undefined;
let url = "";

/** Runs wharf and insists on success, showing stderr when it fails. */
async function ok(home: string, args: string[], input?: string) {
  const r = await runCli(args, { home, input });
  assert.equal(r.code, 0, `wharf ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r;
}

before(async () => {
  buildCli();
  mkdirSync(adminHome);
  mkdirSync(devHome);
  await ok(
    adminHome,
    ["server", "init", "-e", "admin@example.com", "--data-dir", join(dir, "data")],
    "admin-pass-1\n",
  );
  const started = await spawnServer({
    dataDir: join(dir, "data"),
    home: dir,
    env: { WHARF_LOG_LEVEL: "silent" },
  });
  server = started.child;
  url = started.url;
  for (const home of [adminHome, devHome]) await ok(home, ["target", "add", "e2e", url, "--set"]);
});

after(async () => {
  await stopServer(server);
  rmSync(dir, { recursive: true, force: true });
});

test("admin logs in with wharf and prepares a pool, a platform and a plan", async () => {
  assert.equal(
    (await ok(adminHome, ["login", "admin@example.com"], "admin-pass-1\n")).stdout,
    "Successfully logged in!\n",
  );
  await ok(adminHome, ["pool", "add", "main", "--default"]);
  await ok(adminHome, ["platform", "add", "python", "-i", "python:3.12"]);
  await ok(adminHome, ["plan", "create", "small", "-c", "100", "-m", "128M", "--default"]);
  const platforms = JSON.parse((await ok(adminHome, ["platform", "list", "--json"])).stdout);
  assert.ok(platforms.some((p: { Name: string }) => p.Name === "python"));
});

test("a new user is created and logs in with wharf", async () => {
  await ok(adminHome, ["user", "create", "dev@example.com"], "dev-pass-12\n");
  const wrong = await runCli(["login", "dev@example.com"], { home: devHome, input: "not-the-password\n" });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /login failed/);
  await ok(devHome, ["login", "dev@example.com"], "dev-pass-12\n");
  const info = JSON.parse((await ok(devHome, ["user", "info", "--json"])).stdout);
  assert.equal(info.Email, "dev@example.com");
});

test("the user creates a team and an app", async () => {
  await ok(devHome, ["team", "create", "devs"]);
  const teams = JSON.parse((await ok(devHome, ["team", "list", "--json"])).stdout);
  assert.deepEqual(
    teams.map((t: { name: string }) => t.name),
    ["devs"],
  );
  const created = await ok(devHome, ["app", "create", "web", "python", "-t", "devs", "-d", "the web app"]);
  assert.match(created.stdout, /App "web" has been created!/);
});

test("env set and get: public values shown, private values masked in table and --json", async () => {
  await ok(devHome, ["env", "set", "-a", "web", "GREETING=hello world", "MODE=a=b", "--no-restart"]);
  await ok(devHome, ["env", "set", "-a", "web", "DB_PASSWORD=s3cr3t-value", "-p", "--no-restart"]);
  const table = await ok(devHome, ["env", "get", "-a", "web"]);
  assert.match(table.stdout, /^GREETING=hello world$/m);
  assert.match(table.stdout, /^MODE=a=b$/m);
  assert.match(table.stdout, /^DB_PASSWORD=\*\*\* \(private variable\)$/m);
  const json = await ok(devHome, ["env", "get", "-a", "web", "--json"]);
  assert.ok(!json.stdout.includes("s3cr3t-value") && !table.stdout.includes("s3cr3t-value"));
  const vars = JSON.parse(json.stdout) as Array<{ name: string; public: boolean }>;
  assert.equal(vars.find((v) => v.name === "DB_PASSWORD")?.public, false);
});

test("-a defaults to the app linked with wharf app link", async () => {
  const project = join(dir, "project");
  mkdirSync(join(project, "src"), { recursive: true });
  await runCli(["app", "link", "web"], { home: devHome, cwd: project });
  const r = await runCli(["env", "get", "GREETING"], { home: devHome, cwd: join(project, "src") });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "GREETING=hello world\n");
});

test("app list --json and app info show the app", async () => {
  const apps = JSON.parse((await ok(devHome, ["app", "list", "--json"])).stdout);
  assert.equal(apps.length, 1);
  assert.equal(apps[0].name, "web");
  assert.equal(apps[0].teamowner, "devs");
  const info = await ok(devHome, ["app", "info", "-a", "web"]);
  assert.match(info.stdout, /^Application: web$/m);
  assert.match(info.stdout, /^Teams: devs \(owner\)$/m);
  assert.match(info.stdout, /^Platform: python$/m);
});

test("the user sees the events of what they did", async () => {
  const events = JSON.parse((await ok(devHome, ["event", "list", "--json"])).stdout) as Array<{
    UniqueID: string;
    Kind: { Name: string };
    Target: { Type: string; Value: string };
    Owner: { Name: string };
  }>;
  const kinds = events.map((e) => `${e.Kind.Name} ${e.Target.Type}:${e.Target.Value}`);
  for (const k of ["team.create team:devs", "app.create app:web", "app.update.env.set app:web"]) {
    assert.ok(kinds.includes(k), `event ${k} in ${kinds.join(", ")}`);
  }
  assert.ok(!JSON.stringify(events).includes("s3cr3t-value"), "env values never in events");
  const create = events.find((e) => e.Kind.Name === "app.create")!;
  assert.equal(create.Owner.Name, "dev@example.com");
  const info = await ok(devHome, ["event", "info", create.UniqueID]);
  assert.match(info.stdout, /Kind: +permission\(app\.create\)/);
  const table = await ok(devHome, ["event", "list", "-t", "app", "-v", "web"]);
  assert.match(table.stdout, /app\.create/);
  assert.doesNotMatch(table.stdout, /team\.create/);
});

test("another user cannot see the app", async () => {
  const otherHome = join(dir, "other-home");
  mkdirSync(otherHome);
  await ok(adminHome, ["user", "create", "other@example.com"], "other-pass-1\n");
  await ok(otherHome, ["target", "add", "e2e", url, "--set"]);
  await ok(otherHome, ["login", "other@example.com"], "other-pass-1\n");
  assert.deepEqual(JSON.parse((await ok(otherHome, ["app", "list", "--json"])).stdout), []);
  const info = await runCli(["app", "info", "-a", "web"], { home: otherHome });
  assert.equal(info.code, 1);
});

test("after logout commands say to log in, with exit code 1", async () => {
  assert.equal((await ok(devHome, ["logout"])).stdout, "Successfully logged out!\n");
  const r = await runCli(["app", "list"], { home: devHome });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not logged in: run `wharf login`/);
});
