// Hostile uploads through the real API (POST /apps/{app}/deploy, multipart `file`) and
// cancel of a running deploy through its event, against `wharf server` and the 3-node
// cluster: refused archives answer 400 naming the entry and leave nothing behind (no
// version, no upload file, no container); a canceled deploy ends its stream with the
// cancel's sentence while the previous version keeps serving, with no build left running.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { FormData } from "undici";
import { setupWharf, streamDeploy, tarGz, type TarEntry, type WharfE2E } from "../support/wharf-e2e.js";

const APP = "hostile";
// Small limits so "too large" needs only a small upload.
const UPLOAD_LIMIT = 256 * 1024;
const MAX_FILES = 50;
let w: WharfE2E;

const SERVER = (tag: string) => `const http = require("http");
http.createServer((req, res) => res.end(${JSON.stringify(tag)})).listen(process.env.PORT);
process.on("SIGTERM", () => process.exit(0));
`;

function app(tag: string, buildHook?: string): TarEntry[] {
  return [
    { name: "server.js", content: SERVER(tag) },
    { name: "Procfile", content: "web: node server.js\n" },
    ...(buildHook ? [{ name: "tsuru.yaml", content: `hooks:\n  build:\n    - ${buildHook}\n` }] : []),
  ];
}

async function upload(body: Buffer): Promise<{ status: number; body: string }> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(body)]), "archive.tar.gz");
  return w.api("POST", `/apps/${APP}/deploy`, form);
}

async function versions(): Promise<number> {
  const r = await w.api("GET", `/deploys?app=${APP}`);
  if (r.status === 204) return 0;
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as unknown[]).length;
}

/** Nothing of a refused upload may remain: no version, no file in uploads/, no container. */
async function assertNothingLeft(before: { versions: number; containers: string[] }): Promise<void> {
  assert.equal(await versions(), before.versions, "no version was created");
  assert.deepEqual(readdirSync(join(w.dataDir, "uploads")), [], "the uploads folder is empty");
  const now = (await w.managedContainers()).map((c) => c.id).sort();
  assert.deepEqual(now, before.containers, "no container was created on the nodes");
  assert.deepEqual(await w.buildContainers(), [], "no build container on the nodes");
}

async function snapshot(): Promise<{ versions: number; containers: string[] }> {
  return { versions: await versions(), containers: (await w.managedContainers()).map((c) => c.id).sort() };
}

before(async () => {
  w = await setupWharf({
    prefix: "input",
    env: { WHARF_UPLOAD_LIMIT: String(UPLOAD_LIMIT), WHARF_UPLOAD_MAX_FILES: String(MAX_FILES) },
  });
  await w.ok(["app", "create", APP, "node", "-t", "devs"]);
});

after(async () => {
  await w?.close();
});

const HOSTILE: Array<{ what: string; entries: () => TarEntry[]; names: RegExp }> = [
  {
    what: "a path traversal (../)",
    entries: () => [...app("x"), { name: "../escape.txt", content: "out" }],
    names: /\.\.\/escape\.txt/,
  },
  {
    what: "a traversal hidden in the middle of a path",
    entries: () => [...app("x"), { name: "lib/../../escape.txt", content: "out" }],
    names: /lib\/\.\.\/\.\.\/escape\.txt/,
  },
  {
    what: "a symlink escaping the tree",
    entries: () => [...app("x"), { name: "passwd", type: "symlink", linkname: "../../../etc/passwd" }],
    names: /passwd/,
  },
  {
    what: "an absolute symlink target",
    entries: () => [...app("x"), { name: "root", type: "symlink", linkname: "/" }],
    names: /root/,
  },
  {
    what: "an absolute path",
    entries: () => [...app("x"), { name: "/etc/cron.d/evil", content: "* * * * * root id\n" }],
    names: /\/etc\/cron\.d\/evil/,
  },
  {
    what: "a device file",
    entries: () => [...app("x"), { name: "null", type: "character-device" }],
    names: /null/,
  },
  {
    what: "more bytes than the upload limit once unpacked (a gzip bomb)",
    entries: () => [...app("x"), { name: "zeros.bin", content: Buffer.alloc(UPLOAD_LIMIT * 4) }],
    names: /zeros\.bin/,
  },
  {
    what: "more entries than the limit",
    entries: () => [
      ...app("x"),
      ...Array.from({ length: MAX_FILES + 5 }, (_, i) => ({ name: `f/${i}.txt`, content: "x" })),
    ],
    names: /f\/\d+\.txt/,
  },
];

describe("hostile archives through POST /apps/{app}/deploy", () => {
  for (const h of HOSTILE) {
    test(`${h.what} → 400 naming the entry, nothing left behind`, async () => {
      const before = await snapshot();
      const r = await upload(await tarGz(h.entries()));
      assert.equal(r.status, 400, r.body);
      assert.match(r.body, h.names, `the error names the entry: ${r.body}`);
      await assertNothingLeft(before);
    });
  }

  test("an upload that is not gzip'd tar → 400 saying so, nothing left behind", async () => {
    const before = await snapshot();
    const r = await upload(Buffer.from("this is not an archive at all\n".repeat(50)));
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /not a gzip'd tar archive/);
    await assertNothingLeft(before);
  });

  test("a compressed upload above the upload limit → 413, nothing left behind", async () => {
    const before = await snapshot();
    // Random bytes do not compress: the upload itself is over the limit.
    const r = await upload(
      await tarGz([...app("x"), { name: "noise.bin", content: randomBytes(UPLOAD_LIMIT * 2) }]),
    );
    assert.equal(r.status, 413, r.body);
    assert.match(r.body, /too large/);
    await assertNothingLeft(before);
  });
});

describe("canceling a deploy through its event", () => {
  test("cancel during a slow build ends the stream with the cancel, v1 keeps serving, no build container left", async () => {
    const first = await streamDeploy(w, APP, await tarGz(app("v1")));
    assert.match(first.text, /\nOK\n$/, first.text);
    // One unit per node, so whichever node builds v2 also runs a v1 unit that must survive.
    await w.ok(["unit", "add", "2", "-a", APP, "-p", "web"]);
    const res = await w.get(APP);
    assert.equal(res.body, "v1");
    const unitsBefore = (await w.managedContainers()).map((c) => c.id).sort();

    let asked: Promise<{ status: number; body: string }> | undefined;
    const r = await streamDeploy(
      w,
      APP,
      await tarGz(app("v2", "echo slow-step-started && sleep 120")),
      (text, id) => {
        if (!asked && /slow-step-started/.test(text))
          asked = w.api("POST", `/events/${id}/cancel`, "reason=changed+my+mind");
      },
    );
    assert.ok(asked, `the build step never started:\n${r.text}`);
    const cancel = await asked;
    assert.equal(cancel.status, 204, cancel.body);
    assert.equal(r.broken, false, "the stream ended normally");
    assert.match(r.text, /Error: The deploy was canceled: changed my mind\.\n$/, r.text);
    assert.doesNotMatch(r.text, /\nOK\n/);

    for (let i = 0; i < 9; i++)
      assert.equal((await w.get(APP)).body, "v1", "the previous version keeps serving");
    assert.deepEqual(
      (await w.managedContainers()).map((c) => c.id).sort(),
      unitsBefore,
      "v1's units are untouched and no new unit exists",
    );
    assert.deepEqual(await w.buildContainers(), [], "no build container left on the nodes");
    const ev = JSON.parse((await w.api("GET", `/events/${r.eventId}`)).body) as {
      Running: boolean;
      CancelInfo: { Canceled: boolean };
      Error: string;
    };
    assert.equal(ev.Running, false);
    assert.equal(ev.CancelInfo.Canceled, true);
    assert.match(ev.Error, /canceled/);
    assert.deepEqual(readdirSync(join(w.dataDir, "uploads")), [], "the upload was removed");
  });
});
