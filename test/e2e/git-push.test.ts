// `git push` deploys with Debian's git client against `wharf server` and the 3-node cluster: the
// example app (examples/hello) pushed to the repository URL app create gives deploys and serves
// through the router, with the build and rollout shown as "remote:" lines ending with the app's
// address; a second push redeploys; rejected pushes (a non-fast-forward, another branch) change
// nothing; two pushes at once: one deploys, the other gets the deploy lock's sentence; removing
// the app removes its repository.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { setupWharf, type WharfE2E } from "../support/wharf-e2e.js";

const run = promisify(execFile);
const APP = "hello";
const EXAMPLE = resolve(import.meta.dirname, "..", "..", "examples", "hello");
let w: WharfE2E;
let remote = "";
const dir = mkdtempSync(join(tmpdir(), "wharf-e2e-git-"));

function git(cwd: string, ...args: string[]) {
  const helper = `!f() { echo username=wharf; echo password=${w.token}; }; f`;
  return run(
    "git",
    ["-c", `credential.helper=${helper}`, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", ...args],
    {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: dir, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" },
      maxBuffer: 16 * 2 ** 20,
    },
  ).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      out: `${e.stdout ?? ""}${e.stderr ?? ""}`,
    }),
  );
}

async function deploys(): Promise<Array<{ Origin: string; Message: string; Error: string }>> {
  const r = await w.api("GET", `/deploys?app=${APP}`);
  return r.status === 204
    ? []
    : (JSON.parse(r.body) as Array<{ Origin: string; Message: string; Error: string }>);
}

async function head(): Promise<string> {
  return (
    await run("git", ["rev-parse", "refs/heads/main"], { cwd: join(w.dataDir, "git", `${APP}.git`) })
  ).stdout.trim();
}

before(async () => {
  w = await setupWharf({ prefix: "git" });
  const created = await w.api(
    "POST",
    "/apps",
    `name=${APP}&platform=node&plan=&pool=&teamOwner=devs&description=&router=&routeropts=`,
  );
  assert.equal(created.status, 201, created.body);
  remote = (JSON.parse(created.body) as { repository_url: string }).repository_url;
  assert.equal(remote, `${w.apiUrl}/apps/${APP}.git`);
});

after(async () => {
  await w?.close();
});

test("git push of examples/hello deploys it as one app.deploy event of origin git, streamed as remote: lines", async (t) => {
  const src = join(dir, "hello");
  cpSync(EXAMPLE, src, { recursive: true });
  await run("git", ["init", "-q", "-b", "main", src]);
  await git(src, "add", ".");
  await git(src, "commit", "-qm", "hello from git");
  await git(src, "remote", "add", "wharf", remote);
  const r = await git(src, "push", "wharf", "main");
  assert.equal(r.code, 0, r.out);
  t.diagnostic(r.out.split("\n").slice(-12).join(" | "));
  assert.match(r.out, /remote: ---- Deploying version v1 of hello ----/);
  assert.match(
    r.out,
    /remote: OK: hello deployed from [0-9a-f]{7}, serving at http:\/\/hello\.wharf\.localhost:\d+\//,
  );
  const page = await w.get(APP);
  assert.equal(page.status, 200);
  assert.match(page.body, /Hello from Wharf!/);
  const d = await deploys();
  assert.equal(d.length, 1);
  assert.equal(d[0]!.Origin, "git");
  assert.match(d[0]!.Message, /^[0-9a-f]{7} hello from git$/);
  const events = await w.api("GET", `/events?kindname=app.deploy&target.value=${APP}`);
  assert.equal((JSON.parse(events.body) as unknown[]).length, 1, "one app.deploy event");
});

test("a second push redeploys the new commit", async () => {
  const src = join(dir, "hello");
  const server = join(src, "server.js");
  writeFileSync(server, readFileSync(server, "utf8").replace("Hello from Wharf!", "Hello again from Wharf!"));
  await git(src, "commit", "-qam", "second version");
  const r = await git(src, "push", "wharf", "main");
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /remote: ---- Deploying version v2 of hello ----/);
  assert.match((await w.get(APP)).body, /Hello again from Wharf!/);
  assert.equal(await head(), (await git(src, "rev-parse", "HEAD")).out.trim());
  assert.equal((await deploys()).length, 2);
});

test("a forced non-fast-forward and a push of another branch are refused and change nothing", async () => {
  const before = { head: await head(), deploys: (await deploys()).length };
  const other = join(dir, "other");
  cpSync(EXAMPLE, other, { recursive: true });
  await run("git", ["init", "-q", "-b", "main", other]);
  await git(other, "add", ".");
  await git(other, "commit", "-qm", "unrelated history");
  const forced = await git(other, "push", "--force", remote, "main");
  assert.notEqual(forced.code, 0);
  assert.match(forced.out, /remote: Non-fast-forward push refused/);
  const branch = await git(join(dir, "hello"), "push", "wharf", "HEAD:feature");
  assert.notEqual(branch.code, 0);
  assert.match(branch.out, /remote: App hello deploys from branch main; refs\/heads\/feature is refused/);
  assert.equal(await head(), before.head);
  assert.equal((await deploys()).length, before.deploys);
  assert.match((await w.get(APP)).body, /Hello again from Wharf!/);
});

test("of two pushes at once one deploys and the other gets the deploy lock's sentence", async () => {
  const a = join(dir, "a");
  const b = join(dir, "b");
  for (const [d, text] of [
    [a, "Hello from A"],
    [b, "Hello from B"],
  ] as const) {
    const c = await git(dir, "clone", "-q", remote, d);
    assert.equal(c.code, 0, c.out);
    const server = join(d, "server.js");
    writeFileSync(server, readFileSync(server, "utf8").replace(/Hello again from Wharf!/, text));
    await git(d, "commit", "-qam", text);
  }
  const [ra, rb] = await Promise.all([git(a, "push", "origin", "main"), git(b, "push", "origin", "main")]);
  const won = [ra, rb].filter((r) => r.code === 0);
  const lost = [ra, rb].filter((r) => r.code !== 0);
  assert.equal(won.length, 1, `${ra.out}\n----\n${rb.out}`);
  assert.match(
    lost[0]!.out,
    /remote: app "hello" is locked by (running event [0-9a-f]{24} \(app\.deploy|a running push \(git push)/,
  );
  const served = (await w.get(APP)).body;
  assert.match(served, ra.code === 0 ? /Hello from A/ : /Hello from B/);
});

test("removing the app removes its repository", async () => {
  const repo = join(w.dataDir, "git", `${APP}.git`);
  assert.ok(existsSync(repo));
  await w.ok(["app", "remove", "-a", APP, "-y"]);
  assert.equal(existsSync(repo), false);
});
