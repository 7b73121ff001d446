import { test } from "node:test";
import assert from "node:assert/strict";
import { readStartEvents } from "../../../src/agent/start-events.js";

async function* chunks(...parts: (string | Buffer)[]) {
  for (const p of parts) yield p;
}

test("each start event gives its container ID, also when a line is split across reads", async () => {
  const ids: string[] = [];
  const a = JSON.stringify({ id: "aaa", status: "start" });
  const b = JSON.stringify({ Actor: { ID: "bbb" }, Action: "start" });
  await readStartEvents(
    chunks(a.slice(0, 5), Buffer.from(a.slice(5) + "\n" + b.slice(0, 3)), b.slice(3) + "\n"),
    (id) => ids.push(id),
  );
  assert.deepEqual(ids, ["aaa", "bbb"]);
});

test("blank lines, lines that are not JSON and events without an ID are skipped; a cut last line is dropped", async () => {
  const ids: string[] = [];
  await readStartEvents(
    chunks("\n", "<html>proxy error</html>\n", '{"status":"start"}\n', '{"id":"ccc"}\n', '{"id":"dd'),
    (id) => ids.push(id),
  );
  assert.deepEqual(ids, ["ccc"]);
});

test("a multi-byte character split between two reads is decoded whole", async () => {
  const ids: string[] = [];
  const line = Buffer.from(JSON.stringify({ id: "eee", from: "ünit" }) + "\n");
  const cut = line.indexOf(0xc3) + 1;
  await readStartEvents(chunks(line.subarray(0, cut), line.subarray(cut)), (id) => ids.push(id));
  assert.deepEqual(ids, ["eee"]);
});
