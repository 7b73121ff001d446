// `wharf app deploy` on the wire: the app check, the multipart upload with a tar.gz of
// exactly the expected files, image and Dockerfile modes, relaying the answer, exit
// codes, the app URL, and Ctrl-C cancelling through the deploy event.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildCli, runCli } from "./helpers.js";
import { json, parseMultipart, spawnCli, startRawStub, untar, type RawStub } from "./raw-stub.js";

let stub: RawStub;
const env = () => ({ WHARF_TARGET: stub.url, WHARF_TOKEN: "tk" });
const EVENT = "5d93463a1b0e8b0001a2b3c4";
const APP = { name: "web", routers: [{ name: "r", address: "web.apps.local:8080" }], cname: [] };

before(async () => {
  buildCli();
  stub = await startRawStub();
});
after(() => stub.close());
beforeEach(() => stub.reset());

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "wharf-deploy-"));
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (content.startsWith("@link:")) symlinkSync(content.slice(6), abs);
    else writeFileSync(abs, content);
  }
  return root;
}

/** A tsuru-style text deploy answer with the event id header. */
function textDeploy(body: string) {
  return (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(200, { "content-type": "text", "x-tsuru-eventid": EVENT });
    res.end(body);
  };
}

/** Waits for `cond` while the CLI runs; fails instead of hanging if the CLI has exited. */
async function until(cond: () => boolean, child: import("node:child_process").ChildProcess): Promise<void> {
  while (!cond()) {
    if (child.exitCode !== null) assert.fail("the CLI exited before the condition held");
    await new Promise((r) => setImmediate(r));
  }
}

const deploys = () => stub.requests.filter((r) => r.method === "POST" && r.url === "/1.0/apps/web/deploy");

test("deploy of a directory: GET the app, then multipart origin + file=archive.tar.gz with exactly the kept files", async () => {
  const dir = project({
    Procfile: "web: node server.js",
    "server.js": "console.log(1)",
    "lib/util.js": "u",
    "debug.log": "noise",
    "node_modules/x/index.js": "dep",
    ".git/HEAD": "ref: refs/heads/main",
    ".wharfignore": "*.log\n",
    ".tsuruignore": "node_modules/\n",
    "current.js": "@link:server.js",
  });
  stub.on("GET", "/1.0/apps/web", json(APP));
  stub.on("POST", "/1.0/apps/web/deploy", textDeploy("building\nrolling out\nOK\n"));
  const r = await runCli(["app", "deploy", "-a", "web"], { env: env(), cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    stub.requests.map((q) => `${q.method} ${q.url}`),
    ["GET /1.0/apps/web", "POST /1.0/apps/web/deploy", "GET /1.0/apps/web"],
  );
  const req = deploys()[0]!;
  assert.equal(req.headers["authorization"], "bearer tk");
  assert.equal(req.headers["content-length"], String(req.body.length));
  const parts = parseMultipart(req);
  assert.deepEqual(
    parts.map((p) => [p.name, p.filename, p.filename ? p.contentType : p.data.toString()]),
    [
      ["origin", undefined, "app-deploy"],
      ["file", "archive.tar.gz", "application/octet-stream"],
    ],
  );
  const items = await untar(parts[1]!.data);
  assert.deepEqual(
    items.map((i) => [i.name, i.type, i.linkname ?? i.content]),
    [
      [".tsuruignore", "file", "node_modules/\n"],
      [".wharfignore", "file", "*.log\n"],
      ["Procfile", "file", "web: node server.js"],
      ["current.js", "symlink", "server.js"],
      ["lib", "directory", ""],
      ["lib/util.js", "file", "u"],
      ["server.js", "file", "console.log(1)"],
    ],
  );
  assert.equal(r.stdout, 'building\nrolling out\nOK\nApp "web" is available at http://web.apps.local:8080\n');
  assert.doesNotMatch(r.stderr, /Uploading/, "no progress line when stderr is not a terminal");
});

test("deploy of given files with -m sends message and stores the files under their relative paths", async () => {
  const dir = project({ Procfile: "web: x", "src/a.js": "a", "src/b.js": "b", "other.txt": "o" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  stub.on("POST", "/1.0/apps/web/deploy", textDeploy("OK\n".padStart(4, "\n")));
  const r = await runCli(["app", "deploy", "Procfile", "src/a.js", "-a", "web", "-m", "fix login"], {
    env: env(),
    cwd: dir,
  });
  assert.equal(r.code, 0, r.stderr);
  const parts = parseMultipart(deploys()[0]!);
  assert.deepEqual(
    parts.filter((p) => !p.filename).map((p) => [p.name, p.data.toString()]),
    [
      ["origin", "app-deploy"],
      ["message", "fix login"],
    ],
  );
  assert.deepEqual(
    (await untar(parts.find((p) => p.name === "file")!.data)).map((i) => i.name),
    ["Procfile", "src/a.js"],
  );
});

test("deploy --dockerfile sends the Dockerfile's content as `dockerfile` with its directory as the context", async () => {
  const dir = project({ "docker/Dockerfile": "FROM wharf/base\nCOPY . /app\n", "docker/app.py": "print(1)" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  stub.on("POST", "/1.0/apps/web/deploy", textDeploy("\nOK\n"));
  const r = await runCli(["app", "deploy", "-a", "web", "--dockerfile", "docker/Dockerfile"], {
    env: env(),
    cwd: dir,
  });
  assert.equal(r.code, 0, r.stderr);
  const parts = parseMultipart(deploys()[0]!);
  assert.deepEqual(
    parts.filter((p) => !p.filename).map((p) => [p.name, p.data.toString()]),
    [
      ["origin", "app-deploy"],
      ["dockerfile", "FROM wharf/base\nCOPY . /app\n"],
    ],
  );
  assert.deepEqual(
    (await untar(parts.find((p) => p.name === "file")!.data)).map((i) => i.name),
    ["Dockerfile", "app.py"],
  );
});

test("deploy --image sends a form image=&message=&origin=image and no archive", async () => {
  stub.on("GET", "/1.0/apps/web", json(APP));
  stub.on("POST", "/1.0/apps/web/deploy", textDeploy("pulling\n\nOK\n"));
  const r = await runCli(["app", "deploy", "-a", "web", "--image", "reg.local/web:1.2", "-m", "hot fix"], {
    env: env(),
  });
  assert.equal(r.code, 0, r.stderr);
  const req = deploys()[0]!;
  assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
  assert.equal(req.body.toString(), "image=reg.local%2Fweb%3A1.2&message=hot+fix&origin=image");
});

test("deploy --image with paths is a usage error and sends nothing", async () => {
  const r = await runCli(["app", "deploy", "-a", "web", "--image", "x:1", "."], { env: env() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Error: you can't deploy files and an image at the same time\n$/);
  assert.equal(stub.requests.length, 0);
});

test("a text deploy answer without the final OK exits 1 after printing what the server said", async () => {
  const dir = project({ "a.js": "a" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  stub.on(
    "POST",
    "/1.0/apps/web/deploy",
    textDeploy("building\nhealthcheck failed: unit 3f2a did not answer\n"),
  );
  const r = await runCli(["app", "deploy", "-a", "web"], { env: env(), cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "building\nhealthcheck failed: unit 3f2a did not answer\n");
  assert.equal(r.stderr, 'Error: the deploy of app "web" failed: see the output above\n');
  assert.equal(stub.requests.length, 2, "no app lookup for a URL after a failure");
});

test("a text deploy answer ending with an Error: line exits 1 with that error on stderr", async () => {
  const dir = project({ "a.js": "a" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  stub.on(
    "POST",
    "/1.0/apps/web/deploy",
    textDeploy("building\n\nError: unit web-1 failed its healthcheck\n"),
  );
  const r = await runCli(["app", "deploy", "-a", "web"], { env: env(), cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "building\n\nError: unit web-1 failed its healthcheck\n");
  assert.equal(r.stderr, "Error: unit web-1 failed its healthcheck\n");
});

test("an x-json-stream deploy answer ending with an Error line exits 1 with that error", async () => {
  const dir = project({ "a.js": "a" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  stub.on("POST", "/1.0/apps/web/deploy", (_req, res) => {
    res.writeHead(200, { "content-type": "application/x-json-stream", "x-tsuru-eventid": EVENT });
    res.write('{"Message":"---- Building ----\\n","Timestamp":"2026-01-01T00:00:00Z"}\n');
    res.end('{"Message":"","Timestamp":"2026-01-01T00:00:01Z","Error":"build failed: npm ci exited 1"}\n');
  });
  const r = await runCli(["app", "deploy", "-a", "web"], { env: env(), cwd: dir });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "---- Building ----\n");
  assert.equal(r.stderr, "Error: build failed: npm ci exited 1\n");
});

test("an unknown app fails at the check, before anything is packed or uploaded", async () => {
  stub.on("GET", "/1.0/apps/nope", (_req, res) => {
    res.writeHead(404, { "content-type": "text/plain" }).end("App nope not found.\n");
  });
  const r = await runCli(["app", "deploy", "-a", "nope"], { env: env(), cwd: project({ "a.js": "a" }) });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "Error: App nope not found.\n");
  assert.deepEqual(
    stub.requests.map((q) => `${q.method} ${q.url}`),
    ["GET /1.0/apps/nope"],
  );
});

test("Ctrl-C during the deploy cancels its event (id from X-Tsuru-Eventid) and says so", async () => {
  const dir = project({ "a.js": "a" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  let deployRes: import("node:http").ServerResponse | undefined;
  stub.on("POST", "/1.0/apps/web/deploy", (_req, res) => {
    deployRes = res;
    res.writeHead(200, { "content-type": "text", "x-tsuru-eventid": EVENT });
    res.write("building\n");
  });
  stub.on("POST", `/1.1/events/${EVENT}/cancel`, (_req, res) => {
    res.writeHead(204).end();
    deployRes?.end("deploy canceled by user: Canceled on client.\n");
  });
  const run = spawnCli(["app", "deploy", "-a", "web"], { env: env(), cwd: dir });
  await until(() => run.stdout().includes("building"), run.child);
  run.child.kill("SIGINT");
  const r = await run.result;
  assert.equal(r.code, 130, r.stderr);
  const cancel = stub.requests.find((q) => q.url.endsWith("/cancel"))!;
  assert.equal(cancel.method, "POST");
  assert.equal(cancel.headers["content-type"], "application/json");
  assert.equal(cancel.body.toString(), '{"reason":"Canceled on client."}\n');
  assert.match(r.stderr, new RegExp(`Canceling the deploy \\(event ${EVENT}\\)`));
  assert.match(r.stderr, /Error: the deploy was canceled\n$/);
  assert.equal(r.stdout, "building\ndeploy canceled by user: Canceled on client.\n");
});

test("Ctrl-C before the deploy answers looks the running deploy event up, then cancels it", async () => {
  const dir = project({ "a.js": "a" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  let deployRes: import("node:http").ServerResponse | undefined;
  stub.on("POST", "/1.0/apps/web/deploy", (_req, res) => {
    deployRes = res; // no answer yet: the client has no event id header
  });
  const lookup = "/1.1/events?kindname=app.deploy&running=true&target.type=app&target.value=web";
  stub.on("GET", lookup, json([{ UniqueID: EVENT, Running: true, Kind: { Name: "app.deploy" } }]));
  stub.on("POST", `/1.1/events/${EVENT}/cancel`, (_req, res) => {
    res.writeHead(204).end();
    deployRes?.writeHead(200, { "content-type": "text" });
    deployRes?.end("canceled\n");
  });
  const run = spawnCli(["app", "deploy", "-a", "web"], { env: env(), cwd: dir });
  await until(() => deployRes !== undefined, run.child);
  run.child.kill("SIGINT");
  const r = await run.result;
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(
    stub.requests.map((q) => `${q.method} ${q.url}`),
    ["GET /1.0/apps/web", "POST /1.0/apps/web/deploy", `GET ${lookup}`, `POST /1.1/events/${EVENT}/cancel`],
  );
  assert.match(r.stderr, /Canceling the deploy/);
});

test("Ctrl-C before any deploy event exists stops the upload and says nothing was deployed", async () => {
  const dir = project({ "a.js": "a" });
  stub.on("GET", "/1.0/apps/web", json(APP));
  let arrived = false;
  stub.on("POST", "/1.0/apps/web/deploy", () => {
    arrived = true; // never answered
  });
  stub.on(
    "GET",
    "/1.1/events?kindname=app.deploy&running=true&target.type=app&target.value=web",
    json(undefined),
  );
  const run = spawnCli(["app", "deploy", "-a", "web"], { env: env(), cwd: dir });
  await until(() => arrived, run.child);
  run.child.kill("SIGINT");
  const r = await run.result;
  assert.equal(r.code, 130);
  assert.match(r.stderr, /the upload was stopped, nothing was deployed/);
  assert.match(r.stderr, /Error: deploy interrupted: nothing was deployed\n$/);
  assert.ok(!stub.requests.some((q) => q.url.endsWith("/cancel")), "nothing to cancel");
});
