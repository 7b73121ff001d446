// Swarm's expression grammar (swarm-classic.md §2.2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { exprMatch, parseExpr, type Expr } from "../../../src/scheduler/index.js";
import { cluster, nodes } from "./helpers.js";

function parsed(s: string): Expr {
  const r = parseExpr(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

test("parses == and != with key lower-cased and value kept", () => {
  const e = parsed("Node==node-1");
  assert.deepEqual([e.key, e.op, e.value, e.soft], ["node", "==", "node-1", false]);
  const n = parsed("storagedriver!=aufs");
  assert.deepEqual([n.key, n.op, n.value], ["storagedriver", "!=", "aufs"]);
});

test("a ~ right after the operator marks the expression soft and is stripped", () => {
  const e = parsed("node==~node-1");
  assert.deepEqual([e.value, e.soft], ["node-1", true]);
  assert.equal(parsed("node!=~x").soft, true);
});

test("== is tried before != and the split happens at the first occurrence", () => {
  // "ab!==c" contains "==", so the key is "ab!" (invalid), not "ab" with "!=".
  assert.deepEqual(parseExpr("ab!==c"), { ok: false, error: "Key 'ab!' is invalid" });
  assert.deepEqual(parseExpr("ab==b!=c"), { ok: false, error: "Value 'b!=c' is invalid" });
  assert.equal(parsed("node===x").value, "=x");
  assert.equal(parsed("node!=x").op, "!=");
});

test("a missing operator is rejected with Swarm's message", () => {
  assert.deepEqual(parseExpr("name=node0"), { ok: false, error: "One of operator ==, != is expected" });
  assert.deepEqual(parseExpr("zone>a"), { ok: false, error: "One of operator ==, != is expected" });
  assert.deepEqual(parseExpr(""), { ok: false, error: "One of operator ==, != is expected" });
});

test("keys must be 2+ chars starting with a letter or _", () => {
  assert.deepEqual(parseExpr("1zone==a"), { ok: false, error: "Key '1zone' is invalid" });
  assert.deepEqual(parseExpr("z==a"), { ok: false, error: "Key 'z' is invalid" });
  assert.deepEqual(parseExpr("==a"), { ok: false, error: "Key '' is invalid" });
  assert.ok(parseExpr("_x.y-z==a").ok);
});

test("empty values and commas are rejected", () => {
  assert.deepEqual(parseExpr("node=="), { ok: false, error: "Value '' is invalid" });
  assert.deepEqual(parseExpr("zone==a,b"), { ok: false, error: "Value 'a,b' is invalid" });
  assert.deepEqual(parseExpr("zone==~"), { ok: false, error: "Value '~' is invalid" });
});

test("globs: * becomes .*, anchored, case-sensitive; other metacharacters keep their meaning", () => {
  const g = parsed("node==node-*");
  assert.equal(exprMatch(g, ["node-12"]), true);
  assert.equal(exprMatch(g, ["xnode-12"]), false);
  assert.equal(exprMatch(g, ["NODE-1"]), false);
  assert.equal(exprMatch(parsed("node==node-1.example"), ["node-1Xexample"]), true);
});

test("/regex/ is unanchored RE2; (?i) makes it case-insensitive", () => {
  assert.equal(exprMatch(parsed("node==/web-\\d+/"), ["the-web-12-host"]), true);
  assert.equal(exprMatch(parsed("node==/^web/"), ["the-web"]), false);
  assert.equal(exprMatch(parsed("node==/WEB/"), ["web"]), false);
  assert.equal(exprMatch(parsed("node==/(?i)WEB/"), ["web"]), true);
});

test("== means any candidate matches, != means none does", () => {
  const eq = parsed("node==b");
  const ne = parsed("node!=b");
  assert.equal(exprMatch(eq, ["a", "b"]), true);
  assert.equal(exprMatch(ne, ["a", "b"]), false);
  assert.equal(exprMatch(ne, ["a", "c"]), true);
  assert.equal(exprMatch(eq, []), false);
  assert.equal(exprMatch(ne, []), true);
});

test("an invalid regexp never matches: == false, != true", () => {
  assert.equal(exprMatch(parsed("node==/a(/"), ["a("]), false);
  assert.equal(exprMatch(parsed("node!=/a(/"), ["a("]), true);
});

test("malformed expressions in a request are an invalid-request error value, not a throw", () => {
  const { sched } = cluster(nodes(2));
  const bad = (req: object): { kind: string; message: string } => {
    const r = sched.place(req);
    assert.equal(r.ok, false);
    return (r as { ok: false; error: { kind: string; message: string } }).error;
  };
  assert.deepEqual(bad({ constraints: ["name=node0"] }), {
    kind: "invalid-request",
    message: 'invalid constraint expression "name=node0": One of operator ==, != is expected',
  });
  assert.match(bad({ affinities: ["container=>c1"] }).message, /affinity expression "container=>c1"/);
  assert.match(bad({ constraints: ["zone==a", "9x==b"] }).message, /Key '9x' is invalid/);
  assert.match(bad({ whitelists: ["node==a,b"] }).message, /Value 'a,b' is invalid/);
  assert.equal(bad({ memory: -1 }).kind, "invalid-request");
});
