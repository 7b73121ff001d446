import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { forwardedHeaders, newRequestId, responseHeaders } from "../../../src/router/headers.js";
import { classify, errorResponse, BodyTooLargeError } from "../../../src/router/errors.js";

function req(raw: string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!.toLowerCase()] = raw[i + 1]!;
  return { rawHeaders: raw, headers, socket: { remoteAddress: "10.0.0.9" } } as unknown as IncomingMessage;
}

function asMap(flat: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i < flat.length; i += 2)
    m.set(flat[i]!.toLowerCase(), [...(m.get(flat[i]!.toLowerCase()) ?? []), flat[i + 1]!]);
  return m;
}

test("drops hop-by-hop headers, including those named in Connection", () => {
  const h = asMap(
    forwardedHeaders(
      req([
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
      ]),
      false,
    ),
  );
  for (const gone of ["connection", "x-secret-hop", "te", "keep-alive", "expect"])
    assert.equal(h.has(gone), false, gone);
  assert.deepEqual(h.get("accept"), ["*/*"]);
  assert.deepEqual(h.get("host"), ["a.example"]);
});

test("appends to X-Forwarded-For and replaces X-Forwarded-Proto/Host sent by the client", () => {
  const h = asMap(
    forwardedHeaders(
      req([
        "Host",
        "a.example",
        "X-Forwarded-For",
        "1.1.1.1",
        "X-Forwarded-Proto",
        "https",
        "X-Forwarded-Host",
        "evil",
      ]),
      false,
    ),
  );
  assert.deepEqual(h.get("x-forwarded-for"), ["1.1.1.1, 10.0.0.9"]);
  assert.deepEqual(h.get("x-forwarded-proto"), ["http"]);
  assert.deepEqual(h.get("x-forwarded-host"), ["a.example"]);
  assert.equal(h.get("x-request-id")!.length, 1);
});

test("request ids are unique", () => {
  const ids = new Set(Array.from({ length: 1000 }, newRequestId));
  assert.equal(ids.size, 1000);
});

test("response headers lose hop-by-hop ones and keep repeated Set-Cookie", () => {
  const raw = [
    "Transfer-Encoding",
    "chunked",
    "Set-Cookie",
    "a=1",
    "Set-Cookie",
    "b=2",
    "Connection",
    "keep-alive",
  ];
  assert.deepEqual(responseHeaders(raw), ["Set-Cookie", "a=1", "Set-Cookie", "b=2"]);
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
