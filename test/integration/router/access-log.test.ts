import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { backendOf, get, startBackend, startRouter } from "./helpers.js";

test("the access log has host, app, unit, status, bytes and duration, and never request secrets", async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const backend = await startBackend("logged");
  const router = await startRouter({ accessLog: pino({ base: undefined }, sink) });
  router.snapshot({ apps: [{ app: "logme", backends: [backendOf(backend)] }] });
  await get(router.port, "logme.wharf.test", {
    path: "/p?q=1",
    headers: { authorization: "Bearer s3cret-token", cookie: "session=s3cret-cookie" },
  });
  await get(router.port, "unknown.example");
  await new Promise((r) => setTimeout(r, 50));
  const ok = lines.find((l) => l.app === "logme")!;
  assert.equal(ok.host, "logme.wharf.test");
  assert.equal(ok.unit, "logged");
  assert.equal(ok.status, 200);
  assert.equal(ok.bytes, "logged".length);
  assert.equal(typeof ok.ms, "number");
  assert.ok(lines.some((l) => l.status === 404 && l.host === "unknown.example"));
  assert.doesNotMatch(JSON.stringify(lines), /s3cret/);
  await router.close();
  await backend.close();
});
