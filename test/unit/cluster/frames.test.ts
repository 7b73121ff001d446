// Docker's multiplexed log framing split back into stdout and stderr, including frames that
// arrive split across chunks, and output split into lines as they complete.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Demuxer, demultiplex, LineSplitter } from "../../../src/cluster/docker/frames.js";

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

test("frames are split into their streams with their payloads", () => {
  const frames = demultiplex(Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "")]));
  assert.deepEqual(
    frames.map((f) => [f.stream, f.data.toString()]),
    [
      ["stdout", "out 1\n"],
      ["stderr", "err 1\n"],
      ["stdout", ""],
    ],
  );
});

test("however the bytes are chunked, the demuxer yields the same frames and keeps a partial tail", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom<1 | 2>(1, 2), fc.string({ maxLength: 40 })), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 1, maxLength: 20 }),
      (parts, cuts) => {
        const all = Buffer.concat(parts.map(([s, t]) => frame(s, t)));
        const d = new Demuxer();
        const got: Array<[string, string]> = [];
        let at = 0;
        for (let i = 0; at < all.length; i++) {
          const n = cuts[i % cuts.length]!;
          for (const f of d.push(all.subarray(at, at + n))) got.push([f.stream, f.data.toString()]);
          at += n;
        }
        assert.deepEqual(
          got,
          parts.map(([s, t]) => [s === 2 ? "stderr" : "stdout", t]),
        );
        assert.equal(d.leftover, 0);
      },
    ),
  );
  const d = new Demuxer();
  assert.deepEqual(d.push(frame(1, "abcdef").subarray(0, 10)), []);
  assert.equal(d.leftover, 10);
});

test("the line splitter emits complete lines, drops CR before LF, and flushes an unterminated last line", () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push("one\r\ntw"), ["one"]);
  assert.deepEqual(s.push("o\nthree"), ["two"]);
  assert.deepEqual(s.flush(), ["three"]);
  assert.deepEqual(s.flush(), []);
});
