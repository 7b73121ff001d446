// Vectors for the pure path rules behind unpackUpload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkLinkGraph, normalizeEntryName, resolveInTree } from "../../../src/build/archive-paths.js";

test("entry names are normalized: ./ prefixes, doubled and trailing slashes go; the root becomes empty", () => {
  const vectors: Array<[string, string]> = [
    ["./a/b", "a/b"],
    ["a//b/", "a/b"],
    ["./", ""],
    [".", ""],
    ["a/./b", "a/b"],
  ];
  for (const [raw, want] of vectors) assert.equal(normalizeEntryName(raw), want, raw);
});

test("absolute names, drive letters and .. segments are refused", () => {
  for (const raw of ["/x", "C:\\x", "c:/x", "..", "a/..", "../a", "a/../b"]) {
    assert.throws(() => normalizeEntryName(raw), /absolute|"\.\."/, raw);
  }
});

test("links are resolved through other links the way the kernel follows them", () => {
  const links = new Map([
    ["a", "."],
    ["b", "a/.."],
    ["c", "sub/d"],
    ["sub/d", "../e"],
    ["loop1", "loop2"],
    ["loop2", "loop1"],
  ]);
  assert.equal(resolveInTree("a", links), "");
  assert.equal(resolveInTree("b", links), null, "b -> a/.. -> ./.. leaves the tree");
  assert.equal(resolveInTree("c", links), "e");
  assert.equal(resolveInTree("loop1", links), null, "link loops are refused");
  assert.equal(resolveInTree("plain/file", links), "plain/file");
});

test("the link graph check names the entry below a link and the escaping link", () => {
  assert.throws(
    () => checkLinkGraph(["x", "x/y"], new Map([["x", "sub"]])),
    /"x\/y" lies below the symlink "x"/,
  );
  assert.throws(
    () =>
      checkLinkGraph(
        ["a", "b"],
        new Map([
          ["a", "."],
          ["b", "a/.."],
        ]),
      ),
    /symlink "b"/,
  );
  assert.doesNotThrow(() => checkLinkGraph(["a", "sub/f"], new Map([["a", "sub/f"]])));
});
