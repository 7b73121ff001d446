import { test } from "node:test";
import assert from "node:assert/strict";
import { buildUrl, encodeForm, normalizeTarget, query, queryEscape } from "../../../src/cli/client/http.js";

test("buildUrl prefixes every path with /1.0 by default, like tsuru-client", () => {
  assert.equal(buildUrl("http://wharf.example.com", "/apps"), "http://wharf.example.com/1.0/apps");
});

test("buildUrl trims trailing slashes of the target before adding the version", () => {
  assert.equal(buildUrl("http://h:8080///", "/apps/x"), "http://h:8080/1.0/apps/x");
});

test("buildUrl keeps a target's own base path", () => {
  assert.equal(buildUrl("https://h/tsuru/", "/teams", "1.4"), "https://h/tsuru/1.4/teams");
});

test("buildUrl uses the given version segment", () => {
  assert.equal(buildUrl("http://h", "/events/abc", "1.1"), "http://h/1.1/events/abc");
  assert.equal(buildUrl("http://h", "/constraints", "1.3"), "http://h/1.3/constraints");
});

test("buildUrl inserts path segments raw: emails keep their @", () => {
  assert.equal(
    buildUrl("http://h", "/users/u@example.com/tokens"),
    "http://h/1.0/users/u@example.com/tokens",
  );
});

test("normalizeTarget adds http:// when the target has no scheme", () => {
  assert.equal(normalizeTarget("wharf.local:8080"), "http://wharf.local:8080");
  assert.equal(normalizeTarget("https://secure"), "https://secure");
  assert.equal(buildUrl("127.0.0.1:9", "/apps"), "http://127.0.0.1:9/1.0/apps");
});

test("encodeForm sorts keys by byte order like Go's url.Values.Encode", () => {
  assert.equal(
    encodeForm({ append: "false", PoolExpr: "*", Field: "team", Blacklist: "", "Values.0": "a" }),
    "Blacklist=&Field=team&PoolExpr=%2A&Values.0=a&append=false",
  );
});

test("encodeForm repeats keys for lists in their given order and keeps empty values", () => {
  assert.equal(
    encodeForm({ tag: ["t2", "t1"], routeropts: "", name: "x" }),
    "name=x&routeropts=&tag=t2&tag=t1",
  );
});

test("encodeForm escapes like Go: spaces as +, = and & escaped, @ escaped", () => {
  assert.equal(encodeForm({ v: "a b=c&d", e: "u@x.io" }), "e=u%40x.io&v=a+b%3Dc%26d");
});

test("queryEscape escapes characters encodeURIComponent leaves alone", () => {
  assert.equal(queryEscape("it's (ok)*!"), "it%27s+%28ok%29%2A%21");
});

test("query always has the leading ? so an empty filter gives a bare ?", () => {
  assert.equal(query({}), "?");
  assert.equal(query({ env: ["A", "B"] }), "?env=A&env=B");
});

test("normalizeTarget refuses schemes other than http and https", () => {
  assert.throws(() => normalizeTarget("ftp://x"), /http:\/\/ or https:\/\//);
});
