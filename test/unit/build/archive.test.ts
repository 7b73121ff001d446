// Uploaded archives are hostile: each case is built with tar-stream, fed to unpackUpload, and
// must fail with a 400 naming the entry and leave nothing in tmpDir.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { extract, pack, type Header } from "tar-stream";
import { unpackUpload } from "../../../src/build/archive.js";
import { BadRequestError } from "../../../src/domain/errors.js";

type Entry = Partial<Header> & { name: string; content?: string | Buffer };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => p.on("end", () => r()));
  for (const { content, ...h } of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content !== undefined) p.entry(h, content, cb);
      else p.entry(h, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

function* chunksOf(b: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

const gz = async (entries: Entry[]) => gzipSync(await tarOf(entries));
const limits = { maxBytes: 1 << 20, maxFiles: 50 };

async function listTar(
  stream: Readable,
): Promise<Array<{ name: string; type: string; linkname?: string; data: string; uid: number }>> {
  const ex = extract();
  const out: Array<{ name: string; type: string; linkname?: string; data: string; uid: number }> = [];
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e as unknown as AsyncIterable<Buffer>) chunks.push(c);
    out.push({
      name: e.header.name,
      type: e.header.type,
      linkname: e.header.linkname || undefined,
      data: Buffer.concat(chunks).toString(),
      uid: e.header.uid,
    });
  }
  return out;
}

describe("unpackUpload", () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), "wharf-archive-test-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function rejects(input: Buffer | Readable, pattern: RegExp, lim = limits): Promise<void> {
    await assert.rejects(unpackUpload(input, { limits: lim, tmpDir: tmp }), (err: unknown) => {
      assert.ok(err instanceof BadRequestError, `expected a BadRequestError, got ${String(err)}`);
      assert.match(err.message, pattern);
      return true;
    });
    assert.deepEqual(await readdir(tmp), [], "nothing is left in tmpDir after a rejected upload");
  }

  test("a good gzip'd archive with a safe internal symlink and hard link is normalized and usable as a context under a prefix", async () => {
    const input = await gz([
      { name: "./", type: "directory", mode: 0o755 },
      { name: "./Procfile", content: "web: ./run\n", uid: 1234 },
      { name: "./lib/", type: "directory", mode: 0o700 },
      { name: "./lib/app.js", content: "console.log(1)", mode: 0o4755 },
      { name: "./current", type: "symlink", linkname: "lib/app.js" },
      { name: "./lib/up", type: "symlink", linkname: "../Procfile" },
      { name: "./copy.js", type: "link", linkname: "lib/app.js" },
    ]);
    const a = await unpackUpload(input, { limits, tmpDir: tmp });
    try {
      assert.equal(a.readText("Procfile"), "web: ./run\n");
      assert.equal(a.readText("tsuru.yaml"), undefined);
      assert.equal(a.bytes, "web: ./run\n".length + "console.log(1)".length);
      assert.equal(a.entries, 6);
      const entries = await listTar(
        a.contextStream({ prefix: "code/", extra: [{ name: "Dockerfile", content: "FROM x" }] }),
      );
      assert.deepEqual(
        entries.map((e) => [e.name, e.type, e.linkname]),
        [
          ["Dockerfile", "file", undefined],
          ["code", "directory", undefined],
          ["code/Procfile", "file", undefined],
          ["code/lib", "directory", undefined],
          ["code/lib/app.js", "file", undefined],
          ["code/current", "symlink", "lib/app.js"],
          ["code/lib/up", "symlink", "../Procfile"],
          ["code/copy.js", "link", "code/lib/app.js"],
        ],
      );
      assert.ok(
        entries.every((e) => e.uid === 0),
        "ownership is normalized to root",
      );
      assert.equal(entries.find((e) => e.name === "code/lib/app.js")!.data, "console.log(1)");
    } finally {
      await a.dispose();
    }
    assert.deepEqual(await readdir(tmp), [], "dispose removes the temp file");
  });

  test("a plain tar given as a stream is accepted, and archive files named like extra context files are replaced", async () => {
    const input = await tarOf([
      { name: "Dockerfile", content: "FROM evil" },
      { name: "index.html", content: "<p>hi</p>" },
    ]);
    const a = await unpackUpload(Readable.from([input.subarray(0, 1), input.subarray(1)]), {
      limits,
      tmpDir: tmp,
    });
    try {
      assert.equal(a.readText("Dockerfile"), "FROM evil");
      assert.equal((await stat(a.path)).isFile(), true);
      const entries = await listTar(
        a.contextStream({ extra: [{ name: "Dockerfile", content: "FROM good" }] }),
      );
      assert.deepEqual(
        entries.map((e) => [e.name, e.data]),
        [
          ["Dockerfile", "FROM good"],
          ["index.html", "<p>hi</p>"],
        ],
      );
    } finally {
      await a.dispose();
    }
  });

  test("a multi-megabyte file streams through unpack and the build context byte for byte", async () => {
    const big = randomBytes(3 << 20);
    const input = Readable.from(chunksOf(await gz([{ name: "blob.bin", content: big }]), 64 * 1024));
    const a = await unpackUpload(input, { limits: { maxBytes: 4 << 20, maxFiles: 5 }, tmpDir: tmp });
    try {
      assert.equal(a.readFile("blob.bin"), undefined, "only the known small files are kept in memory");
      const [entry] = await listTar(a.contextStream({ prefix: "code/" }).pipe(new PassThrough()));
      assert.equal(entry!.name, "code");
      const ex = extract();
      a.contextStream().pipe(ex as unknown as NodeJS.WritableStream);
      for await (const e of ex) {
        const got: Buffer[] = [];
        for await (const c of e as unknown as AsyncIterable<Buffer>) got.push(c);
        assert.ok(Buffer.concat(got).equals(big));
      }
    } finally {
      await a.dispose();
    }
  });

  test("an entry with .. segments is rejected, naming it", async () => {
    await rejects(
      await gz([
        { name: "ok.txt", content: "x" },
        { name: "a/../../evil", content: "x" },
      ]),
      /"a\/\.\.\/\.\.\/evil".*"\.\."/,
    );
  });

  test("an absolute entry path is rejected, naming it", async () => {
    await rejects(
      await gz([{ name: "/etc/cron.d/evil", content: "x" }]),
      /"\/etc\/cron\.d\/evil" has an absolute path/,
    );
  });

  test("a symlink whose target climbs out of the tree (relative to its own directory) is rejected", async () => {
    await rejects(
      await gz([{ name: "sub/link", type: "symlink", linkname: "../../etc/passwd" }]),
      /symlink "sub\/link" points to "\.\.\/\.\.\/etc\/passwd"/,
    );
  });

  test("a symlink to an absolute path is rejected", async () => {
    await rejects(
      await gz([{ name: "link", type: "symlink", linkname: "/etc/passwd" }]),
      /symlink "link" points to the absolute path/,
    );
  });

  test("a chain of links that escapes only when followed (a -> ., b -> a/..) is rejected", async () => {
    await rejects(
      await gz([
        { name: "a", type: "symlink", linkname: "." },
        { name: "b", type: "symlink", linkname: "a/.." },
      ]),
      /symlink "b" .*resolves outside/,
    );
  });

  test("an entry placed below a symlink is rejected", async () => {
    await rejects(
      await gz([
        { name: "sub/", type: "directory" },
        { name: "d", type: "symlink", linkname: "sub" },
        { name: "d/x", content: "x" },
      ]),
      /"d\/x" lies below the symlink "d"/,
    );
  });

  test("a hard link whose target leaves the tree is rejected", async () => {
    await rejects(
      await gz([{ name: "h", type: "link", linkname: "../../etc/shadow" }]),
      /hard link "h" points to "\.\.\/\.\.\/etc\/shadow"/,
    );
  });

  test("a hard link to a file that is not in the archive is rejected", async () => {
    await rejects(
      await gz([{ name: "h", type: "link", linkname: "etc/shadow" }]),
      /hard link "h" .*not a file earlier/,
    );
  });

  test("device files and fifos are rejected, naming the entry and its type", async () => {
    await rejects(
      await gz([{ name: "dev/sda", type: "block-device", devmajor: 8, devminor: 0 }]),
      /"dev\/sda" is a block-device/,
    );
    await rejects(
      await gz([{ name: "tty", type: "character-device", devmajor: 5, devminor: 0 }]),
      /"tty" is a character-device/,
    );
    await rejects(await gz([{ name: "pipe", type: "fifo" }]), /"pipe" is a fifo/);
  });

  test("more than maxBytes of file data is rejected, naming the entry that crossed the limit", async () => {
    await rejects(
      await gz([
        { name: "a.bin", content: Buffer.alloc(600) },
        { name: "b.bin", content: Buffer.alloc(600) },
      ]),
      /more than 1000 bytes \(at "b\.bin"\)/,
      { maxBytes: 1000, maxFiles: 10 },
    );
  });

  test("more than maxFiles entries is rejected", async () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, content: "x" }));
    await rejects(await gz(many), /more than 5 entries \(at "f5"\)/, { maxBytes: 1000, maxFiles: 5 });
  });

  test("input that is neither gzip nor tar is rejected as not a gzip'd tar archive", async () => {
    await rejects(
      Buffer.from("hello, this is not an archive at all ".repeat(40)),
      /^the upload is not a gzip'd tar archive: /,
    );
  });

  test("a truncated gzip stream is rejected as not a gzip'd tar archive", async () => {
    const whole = await gz([{ name: "a", content: Buffer.alloc(5000, 7) }]);
    await rejects(whole.subarray(0, whole.length - 30), /^the upload is not a gzip'd tar archive: /);
  });

  test("an empty upload is rejected", async () => {
    await rejects(Buffer.alloc(0), /not a gzip'd tar archive|empty/);
    await rejects(Readable.from([]), /not a gzip'd tar archive|empty/);
  });
});

describe("unpackUpload stream budget", () => {
  test("a gzip bomb of padding after the entries stops at the byte budget instead of being inflated", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "wharf-archive-test-"));
    try {
      const bomb = gzipSync(
        Buffer.concat([await tarOf([{ name: "a", content: "x" }]), Buffer.alloc(8 << 20)]),
      );
      await assert.rejects(
        unpackUpload(bomb, { limits: { maxBytes: 1000, maxFiles: 2 }, tmpDir: tmp }),
        /the archive unpacks to more than 1000 bytes/,
      );
      assert.deepEqual(await readdir(tmp), []);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
