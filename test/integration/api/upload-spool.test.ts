// spoolFilePart with the real @fastify/multipart parser: a file part lands on disk byte for
// byte (not in memory), and a part over the file size limit is a 413 that leaves no file.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import multipart from "@fastify/multipart";
import { spoolFilePart, type SpooledFile } from "../../../src/api/upload-spool.js";

const LIMIT = 64 * 1024;
const dir = mkdtempSync(join(tmpdir(), "wharf-spool-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function server() {
  const app = Fastify();
  await app.register(multipart, { limits: { fileSize: LIMIT } });
  const seen: SpooledFile[] = [];
  app.post("/up", async (req, reply) => {
    try {
      for await (const part of req.parts()) {
        if (part.type === "file") seen.push(await spoolFilePart(part, dir));
      }
    } catch (e) {
      const err = e as { statusCode?: number; code?: string };
      return reply.code(err.statusCode ?? 500).send({ code: err.code });
    }
    return { files: seen.map((f) => ({ bytes: f.bytes })) };
  });
  return { app, seen };
}

function body(content: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const b = "----spooltest";
  const payload = Buffer.concat([
    Buffer.from(`--${b}\r\ncontent-disposition: form-data; name="origin"\r\n\r\napp-deploy\r\n`),
    Buffer.from(
      `--${b}\r\ncontent-disposition: form-data; name="file"; filename="a.tar.gz"\r\ncontent-type: application/octet-stream\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return { payload, headers: { "content-type": `multipart/form-data; boundary=${b}` } };
}

test("a file part is written to a 0600 temp file byte for byte and dispose removes it", async () => {
  const { app, seen } = await server();
  const content = randomBytes(LIMIT - 1);
  const r = await app.inject({ method: "POST", url: "/up", ...body(content) });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json(), { files: [{ bytes: content.length }] });
  const f = seen[0]!;
  assert.ok(readFileSync(f.path).equals(content));
  assert.equal(statSync(f.path).mode & 0o777, 0o600);
  const streamed: Buffer[] = [];
  for await (const c of f.open()) streamed.push(c as Buffer);
  assert.ok(Buffer.concat(streamed).equals(content));
  await f.dispose();
  await f.dispose();
  assert.deepEqual(readdirSync(dir), []);
  await app.close();
});

test("a file part over the size limit is a 413 and leaves nothing on disk", async () => {
  const { app } = await server();
  const r = await app.inject({ method: "POST", url: "/up", ...body(randomBytes(LIMIT * 3)) });
  assert.equal(r.statusCode, 413, r.body);
  assert.equal(r.json<{ code: string }>().code, "FST_REQ_FILE_TOO_LARGE");
  assert.deepEqual(readdirSync(dir), []);
  await app.close();
});
