import { test } from "node:test";
import assert from "node:assert/strict";
import { InsecureEngineError, parseEngineUrl } from "../../../src/cluster/docker/engine.js";

const tls = { ca: Buffer.from("ca"), cert: Buffer.from("c"), key: Buffer.from("k") };

test("https and bare addresses use TLS on 2376 by default", () => {
  assert.deepEqual(parseEngineUrl("https://10.0.0.5:2376", { tls }), {
    kind: "tcp",
    host: "10.0.0.5",
    port: 2376,
    tls,
  });
  assert.equal(parseEngineUrl("node1.example", { tls }).port, 2376);
  assert.equal(parseEngineUrl("tcp://[fd00::1]:3000", { tls }).host, "fd00::1");
});

test("plain http is refused unless --insecure is given", () => {
  assert.throws(() => parseEngineUrl("http://10.0.0.5:2375", { tls }), InsecureEngineError);
  assert.throws(() => parseEngineUrl("10.0.0.5:2376", {}), /--insecure/);
  assert.deepEqual(parseEngineUrl("http://10.0.0.5", { insecure: true }), {
    kind: "tcp",
    host: "10.0.0.5",
    port: 2375,
    insecure: true,
  });
});

test("malformed addresses and out-of-range ports are refused with the expected form", () => {
  assert.throws(() => parseEngineUrl("ftp://x:1", { tls }), /https:\/\/HOST:PORT/);
  assert.throws(() => parseEngineUrl("10.0.0.5:99999", { tls }), /out of range/);
  assert.throws(() => parseEngineUrl("", { tls }), /not a Docker engine address/);
});
