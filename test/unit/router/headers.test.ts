import { test } from "node:test";
import assert from "node:assert/strict";
import { newRequestId, requestHead, responseHead } from "../../../src/router/headers.js";
import { classify, errorResponse, BodyTooLargeError } from "../../../src/router/errors.js";

/** The upstream head as a map of lower-cased name → values, plus its request line. */
function parse(head: string): { line: string; h: Map<string, string[]> } {
  assert.ok(head.endsWith("\r\n"), "every line ends in CRLF");
  const [line, ...rest] = head.slice(0, -2).split("\r\n");
  const h = new Map<string, string[]>();
  for (const l of rest) {
    const i = l.indexOf(": ");
    const k = l.slice(0, i).toLowerCase();
    h.set(k, [...(h.get(k) ?? []), l.slice(i + 2)]);
  }
  return { line: line!, h };
}

const upstream = (raw: string[], encrypted = false) =>
  parse(requestHead("GET", "/p?q=1", raw, "10.0.0.9", encrypted).upstream);

test("drops hop-by-hop headers, including those named in Connection", () => {
  const { line, h } = upstream([
    "Host",
    "a.example",
    "Connection",
    "keep-alive, X-Secret-Hop",
    "X-Secret-Hop",
    "1",
    "TE",
    "trailers",
    "Keep-Alive",
    "5",
    "Accept",
    "*/*",
    "Expect",
    "100-continue",
    "Proxy-Authorization",
    "Basic x",
  ]);
  assert.equal(line, "GET /p?q=1 HTTP/1.1");
  for (const gone of ["connection", "x-secret-hop", "te", "keep-alive", "expect", "proxy-authorization"])
    assert.equal(h.has(gone), false, gone);
  assert.deepEqual(h.get("accept"), ["*/*"]);
  assert.deepEqual(h.get("host"), ["a.example"]);
});

test("appends to X-Forwarded-For and replaces X-Forwarded-Proto/Host sent by the client", () => {
  const { h } = upstream(
    [
      "Host",
      "a.example",
      "X-Forwarded-For",
      "1.1.1.1",
      "X-Forwarded-Proto",
      "http",
      "X-Forwarded-Host",
      "evil",
    ],
    true,
  );
  assert.deepEqual(h.get("x-forwarded-for"), ["1.1.1.1, 10.0.0.9"]);
  assert.deepEqual(h.get("x-forwarded-proto"), ["https"]);
  assert.deepEqual(h.get("x-forwarded-host"), ["a.example"]);
  assert.equal(h.get("x-request-id")!.length, 1);
});

test("reads Host, Content-Length, chunked framing and Expect: 100-continue in the same pass", () => {
  const a = requestHead("POST", "/", ["HOST", "x.example", "Content-Length", "42"], "::1", false);
  assert.equal(a.host, "x.example");
  assert.equal(a.contentLength, 42);
  assert.equal(a.chunked, false);
  const b = requestHead(
    "POST",
    "/",
    ["Host", "x", "Transfer-Encoding", "chunked", "expect", "100-Continue"],
    "::1",
    false,
  );
  assert.equal(b.contentLength, -1);
  assert.equal(b.chunked, true);
  assert.equal(b.expectContinue, true);
  assert.equal(parse(b.upstream).h.has("transfer-encoding"), false, "re-framed by the upstream writer");
});

test("an upgrade request forwards its protocol with Connection: upgrade", () => {
  const r = requestHead(
    "GET",
    "/ws",
    ["Host", "x", "Connection", "Upgrade", "Upgrade", "websocket"],
    "::1",
    false,
    "websocket",
  );
  const { h } = parse(r.upstream);
  assert.deepEqual(h.get("connection"), ["upgrade"]);
  assert.deepEqual(h.get("upgrade"), ["websocket"]);
});

test("request ids are unique", () => {
  const ids = new Set(Array.from({ length: 1000 }, newRequestId));
  assert.equal(ids.size, 1000);
});

test("response headers lose hop-by-hop ones, keep repeated Set-Cookie and report the framing", () => {
  const r = responseHead([
    "Transfer-Encoding",
    "chunked",
    "Set-Cookie",
    "a=1",
    "Set-Cookie",
    "b=2",
    "Connection",
    "keep-alive",
    "Keep-Alive",
    "timeout=5",
  ]);
  assert.equal(r.lines, "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n");
  assert.equal(r.contentLength, false);
  assert.equal(r.keepAlive, "timeout=5");
  const l = responseHead(["Content-Length", "3", "X-A", "b"]);
  assert.equal(l.lines, "Content-Length: 3\r\nX-A: b\r\n");
  assert.equal(l.contentLength, true);
});

test("upstream errors map to 502/503/504/413 with a short sentence", () => {
  const e = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(errorResponse(classify(e("ECONNREFUSED")), null)[0], 502);
  assert.equal(errorResponse(classify(e("UND_ERR_CONNECT_TIMEOUT")), null)[0], 503);
  assert.equal(errorResponse(classify(e("UND_ERR_HEADERS_TIMEOUT")), null)[0], 504);
  assert.equal(errorResponse(classify(e("UND_ERR_BODY_TIMEOUT")), null)[0], 504);
  const big = new BodyTooLargeError(10);
  assert.deepEqual(errorResponse(classify(big), big), [
    413,
    "request body too large: the limit is 10 bytes\n",
  ]);
});
