// Structured logs never carry passwords, tokens or env values; event cancel and app
// unlock answer as tsuru does.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { openStore } from "../../../src/store/open.js";
import type { Store } from "../../../src/store/types.js";
import { createServer, initAdmin, createLogger } from "../../../src/server/index.js";
import { loadConfig } from "../../../src/config/config.js";
import { call, world, type World } from "./helpers.js";

let app: FastifyInstance;
let store: Store;
let dir: string;
let w: World;
const lines: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "wharf-logs-"));
  store = await openStore({ kind: "sqlite", path: join(dir, "wharf.db") });
  await initAdmin(store, "admin@example.com", "admin-password");
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  // The production logger (same redaction and serializers), at debug level, into memory.
  const prod = createLogger("debug", sink);
  app = await createServer({ store, config: loadConfig({}, { dataDir: dir }), logger: prod });
  w = await world(app);
});
after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("logs hold requests but never passwords, tokens or env values", async () => {
  await call(app, "POST", "/1.0/apps/blue-app/env", {
    token: w.alice,
    form: { "Envs.0.Name": "DB_PASSWORD", "Envs.0.Value": "s3cr3t-env-value", Private: "true" },
  });
  await call(app, "POST", "/1.0/users", {
    token: w.admin,
    form: { email: "carol@example.com", password: "carol-pw-1" },
  });
  const reset = await call(app, "POST", "/1.0/users/carol@example.com/password?token=reset-token-xyz", {
    token: w.admin,
  });
  const key = await call(app, "POST", "/1.0/users/api-key", { token: w.alice });
  await call(app, "POST", "/1.0/users/alice@example.com/tokens", {
    form: { password: "wrong-password-123" },
  });
  const all = lines.join("");
  assert.ok(all.includes('"url"'), "requests are logged");
  for (const secret of [
    "s3cr3t-env-value",
    "secret-pw",
    "admin-password",
    "carol-pw-1",
    "wrong-password-123",
    "reset-token-xyz",
    w.alice,
    w.admin,
    JSON.parse(key.body) as string,
    reset.body.trim(),
  ])
    assert.ok(!all.includes(secret), `log leaked ${secret.slice(0, 6)}…`);
});

test("production logger redacts authorization headers and secret fields", () => {
  const out: string[] = [];
  const sink = new Writable({
    write(c, _e, cb) {
      out.push(String(c));
      cb();
    },
  });
  const l = createLogger("info", sink);
  l.info(
    {
      req: { method: "GET", url: "/users/x/password?token=abc123", headers: { authorization: "bearer tok" } },
    },
    "x",
  );
  l.info({ body: { password: "pw-123", value: "v-123", token: "t-123" } }, "y");
  const all = out.join("");
  for (const s of ["abc123", "bearer tok", "pw-123", "v-123", "t-123"]) assert.ok(!all.includes(s), s);
});

test("event cancel: 400 without a reason, 400 when not cancelable, 204 when running and cancelable", async () => {
  const done = (await call(app, "GET", "/1.1/events?kindname=app.create", { token: w.alice }).then((r) =>
    r.json(),
  )) as { UniqueID: string }[];
  const id = done[0]!.UniqueID;
  assert.equal(
    (await call(app, "POST", `/1.1/events/${id}/cancel`, { token: w.alice, json: { reason: "" } })).status,
    400,
  );
  assert.equal(
    (await call(app, "POST", `/1.1/events/${id}/cancel`, { token: w.alice, json: { reason: "stop" } }))
      .status,
    400,
  );
  const ev = await store.createEvent({
    kind: { type: "permission", name: "app.deploy" },
    target: { type: "app", value: "blue-app" },
    owner: { type: "user", name: "alice@example.com" },
    lock: true,
    cancelable: true,
  });
  assert.equal(
    (await call(app, "POST", `/1.1/events/${ev.id}/cancel`, { token: w.bob, form: { reason: "x" } })).status,
    404,
  );
  assert.equal(
    (
      await call(app, "POST", `/1.1/events/${ev.id}/cancel`, {
        token: w.alice,
        json: { reason: "Canceled on client." },
      })
    ).status,
    204,
  );
  const info = (await call(app, "GET", `/1.1/events/${ev.id}`, { token: w.alice })).json() as {
    CancelInfo: { Asked: boolean; Reason: string };
  };
  assert.equal(info.CancelInfo.Asked, true);
  assert.equal(info.CancelInfo.Reason, "Canceled on client.");
  await store.finishEvent(ev.id, { error: "canceled" });
});

test("app unlock answers 410 like tsuru 1.8; outsiders get 403", async () => {
  assert.equal((await call(app, "DELETE", "/1.0/apps/blue-app/lock", { token: w.alice })).status, 410);
  assert.equal((await call(app, "DELETE", "/1.0/apps/blue-app/lock", { token: w.bob })).status, 403);
});
