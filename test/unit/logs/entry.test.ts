// App log lines on the wire and at the door: tsuru's entry fields, one JSON array per
// chunk, long lines cut, control characters dropped, and user filters checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  clipMessage,
  encodeChunk,
  MAX_MESSAGE_BYTES,
  parseFilter,
  parseLines,
} from "../../../src/logs/entry.js";

const line = {
  id: 7,
  app: "web",
  date: new Date("2024-05-01T10:00:00.123Z"),
  message: "started",
  source: "web",
  unit: "web-web-1a2b",
};

test("a chunk is one JSON array of tsuru entries and a newline", () => {
  const chunk = encodeChunk([line]);
  assert.ok(chunk.endsWith("]\n"));
  assert.deepEqual(JSON.parse(chunk), [
    {
      Date: "2024-05-01T10:00:00.123Z",
      Message: "started",
      Source: "web",
      AppName: "web",
      Unit: "web-web-1a2b",
    },
  ]);
  assert.equal(encodeChunk([]), "[]\n");
});

test("messages lose control characters (tabs stay) and are cut at the byte limit with a marker", () => {
  assert.equal(clipMessage("a\u0000b\u001b[31mc\td\u007f"), "ab[31mc\td");
  const long = clipMessage("é".repeat(MAX_MESSAGE_BYTES));
  assert.ok(Buffer.byteLength(long) <= MAX_MESSAGE_BYTES);
  assert.ok(long.endsWith(" […]"));
  assert.equal(clipMessage("short"), "short");
});

test("lines is mandatory and integral, and bounded by the history kept", () => {
  assert.throws(() => parseLines("", 100), /mandatory/);
  assert.throws(() => parseLines("-1", 100), /integer/);
  assert.throws(() => parseLines("1e3", 100), /integer/);
  assert.equal(parseLines("5", 100), 5);
  assert.equal(parseLines("100000", 100), 100);
});

test("source and unit filters are checked, so a typo is a sentence rather than no lines", () => {
  assert.deepEqual(parseFilter("", ""), {});
  assert.deepEqual(parseFilter("web", "web-web-1"), { source: "web", unit: "web-web-1" });
  assert.throws(() => parseFilter("we b", ""), /Invalid source/);
  assert.throws(() => parseFilter("", "../x"), /Invalid unit/);
});
