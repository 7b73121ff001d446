// git's smart HTTP protocol at /apps/APP.git with Debian's git client against a real server
// (its nodes are down, so nothing here reaches a deploy): the token as the Basic password through
// a credential helper, clone rights, and every push Wharf refuses before deploying — another
// branch, a tag, a deletion, a non-fast-forward, a user without deploy permission — each with its
// sentence as "remote:" lines and the repository left exactly as it was.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { call, harness, world, type Harness, type World } from "../api/helpers.js";

const run = promisify(execFile);
let h: Harness;
let w: World;
let base = "";
const dir = mkdtempSync(join(tmpdir(), "wharf-git-refusals-"));

/** git with the token given by a credential helper, as a user's helper would. */
function git(cwd: string, token: string | null, ...args: string[]) {
  const helper =
    token === null
      ? []
      : ["-c", `credential.helper=!f() { echo username=wharf; echo password=${token}; }; f`];
  return run("git", [...helper, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: dir, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      out: `${e.stdout ?? ""}${e.stderr ?? ""}`,
    }),
  );
}

/** Commits everything in d (tracked changes included) as a throwaway author. */
const commit = (d: string, message: string) =>
  run("git", ["-C", d, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", message]);

async function repo(name: string, files: Record<string, string>): Promise<string> {
  const d = join(dir, name);
  await run("git", ["init", "-q", "-b", "main", d]);
  for (const [f, c] of Object.entries(files)) writeFileSync(join(d, f), c);
  await run("git", ["-C", d, "add", "."]);
  await commit(d, "first");
  return d;
}

async function refs(): Promise<string> {
  const r = await run("git", ["for-each-ref"], { cwd: join(h.dir, "git", "blue-app.git") }).catch(() => ({
    stdout: "",
  }));
  return r.stdout;
}

before(async () => {
  h = await harness({}, { cluster: true });
  w = await world(h.app);
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const addr = h.app.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});
after(async () => h.close());

test("app create and app info give the app's git remote on the address the client used", async () => {
  const r = await call(h.app, "POST", "/1.0/apps", {
    token: w.alice,
    headers: { host: "wharf.example.com:8080" },
    form: {
      name: "gitty",
      platform: "python",
      plan: "",
      pool: "",
      teamOwner: "blue",
      description: "",
      router: "",
      routeropts: "",
    },
  });
  assert.equal(r.status, 201, r.body);
  assert.equal(
    (r.json() as Record<string, string>).repository_url,
    "http://wharf.example.com:8080/apps/gitty.git",
  );
  const info = await call(h.app, "GET", "/1.0/apps/gitty", {
    token: w.alice,
    headers: { host: "wharf.example.com:8080" },
  });
  assert.equal(
    (info.json() as { repository: string }).repository,
    "http://wharf.example.com:8080/apps/gitty.git",
  );
});

test("without a token git gets a Basic challenge and the push fails without changing anything", async () => {
  const d = await repo("anon", { "a.txt": "a\n" });
  const r = await git(d, null, "push", `${base}/apps/blue-app.git`, "HEAD:main");
  assert.notEqual(r.code, 0);
  assert.match(r.out, /Authentication failed|could not read Username/i);
  const raw = await fetch(`${base}/apps/blue-app.git/info/refs?service=git-receive-pack`);
  assert.equal(raw.status, 401);
  assert.match(raw.headers.get("www-authenticate") ?? "", /^Basic realm="Wharf"/);
  assert.equal(await refs(), "");
});

test("a user of another team may neither push nor clone; the app's team may clone only after a push", async () => {
  const d = await repo("outsider", { "a.txt": "a\n" });
  const push = await git(d, w.bob, "push", `${base}/apps/blue-app.git`, "HEAD:main");
  assert.notEqual(push.code, 0);
  assert.match(push.out, /403/);
  const clone = await git(dir, w.alice, "clone", `${base}/apps/blue-app.git`, join(dir, "clone-early"));
  assert.notEqual(clone.code, 0);
  assert.match(clone.out, /no repository yet|404/);
});

test("a push to another branch, a tag or several refs is refused with a sentence and changes nothing", async () => {
  const d = await repo("branches", { "a.txt": "a\n" });
  const other = await git(d, w.alice, "push", `${base}/apps/blue-app.git`, "HEAD:feature");
  assert.notEqual(other.code, 0);
  assert.match(other.out, /remote: Wharf deploys the branch main or master; refs\/heads\/feature is refused/);
  assert.match(other.out, /pre-receive hook declined/);
  await run("git", ["-C", d, "tag", "v1"]);
  const tag = await git(d, w.alice, "push", `${base}/apps/blue-app.git`, "v1");
  assert.match(tag.out, /refs\/tags\/v1 is refused/);
  const two = await git(d, w.alice, "push", `${base}/apps/blue-app.git`, "HEAD:main", "HEAD:master");
  assert.match(two.out, /remote: Wharf takes one branch per push/);
  assert.equal(await refs(), "");
});

test("bad names and dumb HTTP are 4xx with a sentence", async () => {
  const token = Buffer.from(`x:${w.alice}`).toString("base64");
  const auth = { authorization: `Basic ${token}` };
  const notGit = await fetch(`${base}/apps/blue-app/info/refs?service=git-upload-pack`, { headers: auth });
  assert.equal(notGit.status, 404);
  assert.match(await notGit.text(), /\/apps\/APP\.git/);
  const bad = await fetch(`${base}/apps/Bad_Name.git/info/refs?service=git-upload-pack`, { headers: auth });
  assert.equal(bad.status, 400);
  const dumb = await fetch(`${base}/apps/blue-app.git/info/refs`, { headers: auth });
  assert.equal(dumb.status, 400);
  assert.match(await dumb.text(), /smart HTTP/);
});

test("a deletion and a non-fast-forward of the app's branch are refused; a deploy that fails refuses the push", async () => {
  // The branch exists once a push deployed; here it is written into the repository directly.
  const d = await repo("history", { "a.txt": "a\n" });
  await run("git", ["-C", d, "push", "-q", join(h.dir, "git", "blue-app.git"), "HEAD:main"]);
  const before = await refs();
  assert.match(before, /refs\/heads\/main/);
  const del = await git(d, w.alice, "push", `${base}/apps/blue-app.git`, ":main");
  assert.match(del.out, /remote: The branch main of an app can't be deleted/);
  const other = await repo("unrelated", { "b.txt": "b\n" });
  const nonff = await git(other, w.alice, "push", "--force", `${base}/apps/blue-app.git`, "HEAD:main");
  assert.notEqual(nonff.code, 0);
  assert.match(nonff.out, /remote: Non-fast-forward push refused/);
  const master = await git(d, w.alice, "push", `${base}/apps/blue-app.git`, "HEAD:master");
  assert.match(master.out, /remote: App blue-app deploys from branch main; refs\/heads\/master is refused/);
  // A fast-forward gets to the deploy, which fails here (no node answers): the push is refused.
  writeFileSync(join(d, "a.txt"), "a2\n");
  await commit(d, "second");
  const ff = await git(d, w.alice, "push", `${base}/apps/blue-app.git`, "HEAD:main");
  assert.notEqual(ff.code, 0);
  assert.match(
    ff.out,
    /remote: Error: .*\nremote: The push was refused: the repository keeps the code that is deployed/,
  );
  assert.equal(await refs(), before, "nothing changed");
  const events = (
    await call(h.app, "GET", "/1.1/events?kindname=app.deploy&target.value=blue-app", { token: w.admin })
  ).json() as {
    Error: string;
  }[];
  assert.equal(events.length, 1, "the failed deploy is one app.deploy event");
  assert.notEqual(events[0]!.Error, "");
  const clone = await git(dir, w.alice, "clone", "-q", `${base}/apps/blue-app.git`, join(dir, "clone"));
  assert.equal(clone.code, 0, clone.out);
});
