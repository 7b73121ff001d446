// The archive `wharf app deploy` uploads: layout, ignore files, .git, symlinks, order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { buildArchive, collectEntries } from "../../../src/cli/deploy/archive.js";
import { CliError } from "../../../src/cli/errors.js";

/** A temporary tree from `{ "path": "content" }`; `@link:target` makes a symlink. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "wharf-pack-"));
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (path.endsWith("/")) mkdirSync(abs, { recursive: true });
    else if (content.startsWith("@link:")) symlinkSync(content.slice(6), abs);
    else writeFileSync(abs, content);
  }
  return root;
}

interface Item {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  linkname?: string;
  content: string;
}

async function unpack(data: Buffer): Promise<Item[]> {
  const items: Item[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.on("entry", (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on("end", () => {
      items.push({
        name: h.name,
        type: h.type,
        mode: h.mode,
        uid: h.uid,
        gid: h.gid,
        uname: h.uname,
        linkname: h.linkname ?? undefined,
        content: Buffer.concat(chunks).toString(),
      });
      next();
    });
  });
  ex.end(gunzipSync(data));
  await done;
  return items;
}

const names = (root: string, args: string[] = []) => collectEntries(args, { cwd: root }).map((e) => e.name);

test("a single directory is archived with its contents at the root, without ./ or a root entry", async () => {
  const root = tree({ "app/Procfile": "web: x", "app/sub/f.txt": "f" });
  const items = await unpack((await buildArchive(["app"], { cwd: root })).data);
  assert.deepEqual(
    items.map((i) => [i.name.replace(/\/$/, ""), i.type]),
    [
      ["Procfile", "file"],
      ["sub", "directory"],
      ["sub/f.txt", "file"],
    ],
  );
  assert.equal(items.find((i) => i.name === "sub/f.txt")?.content, "f");
});

test("no paths means the current directory", () => {
  const root = tree({ "a.txt": "a", "b/c.txt": "c" });
  assert.deepEqual(names(root), ["a.txt", "b", "b/c.txt"]);
});

test("several paths are stored under their paths relative to the current directory", () => {
  const root = tree({ Procfile: "p", "src/app.js": "x", "src/lib/u.js": "u", "other.txt": "o" });
  assert.deepEqual(names(root, ["Procfile", "src/lib"]), ["Procfile", "src/lib", "src/lib/u.js"]);
});

test(".wharfignore and .tsuruignore both apply, in gitignore syntax", () => {
  const root = tree({
    ".wharfignore": "*.log\n/build/\n",
    ".tsuruignore": "node_modules\n",
    "app.js": "a",
    "debug.log": "l",
    "build/out.js": "o",
    "lib/build/kept.js": "k",
    "node_modules/x/i.js": "i",
    "lib/deep.log": "d",
  });
  assert.deepEqual(names(root), [
    ".tsuruignore",
    ".wharfignore",
    "app.js",
    "lib",
    "lib/build",
    "lib/build/kept.js",
  ]);
});

test("a nested ignore file applies to its own subtree only, and its negations win there", () => {
  const root = tree({
    ".wharfignore": "*.log\n",
    "top.log": "t",
    "sub/.wharfignore": "!keep.log\nsecret.txt\n",
    "sub/keep.log": "k",
    "sub/drop.log": "d",
    "sub/secret.txt": "s",
    "secret.txt": "stays: the rule lives in sub/",
  });
  assert.deepEqual(names(root), [".wharfignore", "secret.txt", "sub", "sub/.wharfignore", "sub/keep.log"]);
});

test("files inside an ignored directory stay out even when a deeper rule re-includes them", () => {
  const root = tree({ ".wharfignore": "cache/\n", "cache/.wharfignore": "!*\n", "cache/x": "x", y: "y" });
  assert.deepEqual(names(root), [".wharfignore", "y"]);
});

test("an ignored path given explicitly is still left out", () => {
  const root = tree({ ".tsuruignore": "*.secret\n", "a.secret": "s", "b.txt": "b" });
  assert.deepEqual(names(root, ["a.secret", "b.txt"]), ["b.txt"]);
});

test(".git is always left out, at the root, nested, and as a file (submodules)", () => {
  const root = tree({
    ".git/HEAD": "ref",
    "mod/.git": "gitdir: ../.git/modules/mod",
    "mod/m.js": "m",
    "a.js": "a",
    ".gitignore": "",
  });
  assert.deepEqual(names(root), [".gitignore", "a.js", "mod", "mod/m.js"]);
});

test("symlinks are stored as links and never followed", async () => {
  const outside = tree({ "secret/key": "outside the tree" });
  const root = tree({ "a.js": "a", "link.js": "@link:a.js", out: `@link:${join(outside, "secret")}` });
  const items = await unpack((await buildArchive([], { cwd: root })).data);
  assert.deepEqual(
    items.map((i) => [i.name, i.type, i.linkname ?? ""]),
    [
      ["a.js", "file", ""],
      ["link.js", "symlink", "a.js"],
      ["out", "symlink", join(outside, "secret")],
    ],
  );
  assert.ok(!items.some((i) => i.content.includes("outside the tree")));
});

test("entries are in byte order with owner 0:0 and normalised modes, whatever the creation order", async () => {
  const root = tree({ "z.txt": "z", "B.txt": "b", "a/x": "x", "a-b": "ab", "run.sh": "#!/bin/sh" });
  chmodSync(join(root, "run.sh"), 0o775);
  chmodSync(join(root, "z.txt"), 0o664);
  const items = await unpack((await buildArchive([], { cwd: root })).data);
  assert.deepEqual(
    items.map((i) => i.name.replace(/\/$/, "")),
    ["B.txt", "a", "a-b", "a/x", "run.sh", "z.txt"],
  );
  for (const i of items) assert.deepEqual([i.uid, i.gid, i.uname], [0, 0, ""], i.name);
  const mode = (n: string) => items.find((i) => i.name.replace(/\/$/, "") === n)?.mode;
  assert.equal(mode("run.sh"), 0o755);
  assert.equal(mode("z.txt"), 0o644);
  assert.equal(mode("a"), 0o755);
});

test("packing the same tree twice gives the same bytes", async () => {
  const root = tree({ "a.js": "a", "sub/b.js": "b", l: "@link:a.js" });
  const one = await buildArchive([], { cwd: root });
  const two = await buildArchive(["."], { cwd: root });
  assert.ok(one.data.equals(two.data));
});

test("a path outside the current directory is refused as a usage error", () => {
  const root = tree({ "app/a.js": "a", "x.js": "x" });
  assert.throws(
    () => collectEntries(["a.js", "../x.js"], { cwd: join(root, "app") }),
    (e: unknown) =>
      e instanceof CliError && e.exitCode === 2 && /outside the current directory/.test(e.message),
  );
});

test("a missing path is a usage error naming it", () => {
  const root = tree({ "a.js": "a" });
  assert.throws(
    () => collectEntries(["nope"], { cwd: root }),
    (e: unknown) => e instanceof CliError && /"nope"/.test(e.message),
  );
});

test("an archive with nothing but ignored files is refused", async () => {
  const root = tree({ ".wharfignore": "*\n", "a.js": "a" });
  await assert.rejects(buildArchive([], { cwd: root }), /nothing to deploy/);
});
