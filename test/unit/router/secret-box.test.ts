import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { loadSecretKey, seal, secretKeyPath, unseal } from "../../../src/router/secret-box.js";
import { routerSettingsFromEnv } from "../../../src/router/store-router.js";

test("the secret key file is created 0600 on first use and the same key is read back later", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-secret-"));
  try {
    const path = secretKeyPath(dir, {});
    assert.equal(path, join(dir, "secret.key"));
    const k1 = loadSecretKey(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(k1.length, 32);
    assert.deepEqual(loadSecretKey(path), k1);
    assert.equal(secretKeyPath(dir, { WHARF_SECRET_KEY: "/elsewhere/k" }), "/elsewhere/k");
    assert.match(readFileSync(path, "utf8"), /^[0-9a-f]{64}\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sealed keys round-trip, differ each time, and refuse to open with another key", () => {
  const key = randomBytes(32);
  const secret = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n";
  const a = seal(key, secret);
  const b = seal(key, secret);
  assert.notEqual(a, b, "random IV per seal");
  assert.ok(!a.includes("PRIVATE"));
  assert.equal(unseal(key, a), secret);
  assert.throws(() => unseal(randomBytes(32), a));
  assert.throws(() => unseal(key, "v9:" + a.slice(3)), /unknown secret envelope/);
});

test("router listen settings come from WHARF_ROUTER_* over defaults and reject bad values", () => {
  const d = { http: { host: "127.0.0.1", port: 8000 }, https: { host: "127.0.0.1", port: 8443 }, workers: 1 };
  assert.deepEqual(routerSettingsFromEnv({}, d), d);
  const s = routerSettingsFromEnv(
    {
      WHARF_ROUTER_PORT: "9000",
      WHARF_ROUTER_TLS_PORT: "off",
      WHARF_ROUTER_ADMIN_PORT: "9001",
      WHARF_ROUTER_WORKERS: "3",
    },
    d,
  );
  assert.deepEqual(s, {
    http: { host: "127.0.0.1", port: 9000 },
    admin: { host: "127.0.0.1", port: 9001 },
    workers: 3,
  });
  assert.throws(
    () => routerSettingsFromEnv({ WHARF_ROUTER_PORT: "70000" }, d),
    /WHARF_ROUTER_PORT.*0 to 65535/,
  );
  assert.throws(() => routerSettingsFromEnv({ WHARF_ROUTER_WORKERS: "0" }, d), /WHARF_ROUTER_WORKERS/);
});
