import { test } from "node:test";
import assert from "node:assert/strict";
import { consumeJsonStream } from "../../../src/cli/client/stream.js";

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

async function run(...parts: string[]) {
  let out = "";
  const error = await consumeJsonStream(chunks(...parts), (s) => (out += s));
  return { out, error };
}

test("x-json-stream: Message is written verbatim, without adding newlines", async () => {
  const r = await run(
    '{"Message":"a\\n","Timestamp":"2026-01-01T00:00:00Z"}\n{"Message":"b"}\n{"Message":"c\\n"}\n',
  );
  assert.deepEqual(r, { out: "a\nbc\n", error: undefined });
});

test("x-json-stream: lines split across chunks are joined before parsing", async () => {
  const r = await run('{"Mess', 'age":"hel', 'lo\\n"}\n{"Message":', '"x"}\n');
  assert.equal(r.out, "hello\nx");
});

test("x-json-stream: multi-byte characters split across chunks survive", async () => {
  const bytes = Buffer.from('{"Message":"é✓\\n"}\n');
  async function* split() {
    yield bytes.subarray(0, 13);
    yield bytes.subarray(13);
  }
  let out = "";
  await consumeJsonStream(split(), (s) => (out += s));
  assert.equal(out, "é✓\n");
});

test("x-json-stream: empty keep-alive lines are skipped", async () => {
  const r = await run('\n{"Message":"a"}\n\n\n{"Message":"b"}\n');
  assert.equal(r.out, "ab");
});

test("x-json-stream: an Error line stops processing and is returned", async () => {
  const r = await run('{"Message":"step 1\\n"}\n{"Message":"","Error":"boom"}\n{"Message":"never"}\n');
  assert.deepEqual(r, { out: "step 1\n", error: "boom" });
});

test("x-json-stream: an empty body is a success with no output", async () => {
  assert.deepEqual(await run(), { out: "", error: undefined });
});

test("x-json-stream: a final line without newline is still parsed", async () => {
  assert.deepEqual(await run('{"Message":"done"}'), { out: "done", error: undefined });
});

test("x-json-stream: a complete line that is not JSON fails with Unparseable chunk", async () => {
  await assert.rejects(run('{"Message":"a"}\nnot json\n'), /Unparseable chunk: "not json"/);
});

test("x-json-stream: a trailing fragment that is not JSON fails with unparsed message error", async () => {
  await assert.rejects(run('{"Message":"a"}\n{"Mess'), /unparsed message error: \{"Mess/);
});
