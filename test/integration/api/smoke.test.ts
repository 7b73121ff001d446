import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { harness, call, world, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;
before(async () => {
  h = await harness();
  w = await world(h.app);
});
after(async () => h.close());

test("auth scheme is native and needs no token", async () => {
  const r = await call(h.app, "GET", "/1.0/auth/scheme");
  assert.equal(r.status, 200);
  assert.deepEqual(r.json(), { name: "native", data: null });
});

test("app list shows only the member's apps", async () => {
  const r = await call(h.app, "GET", "/1.0/apps?", { token: w.alice });
  assert.equal(r.status, 200, r.body);
  const names = (r.json() as { name: string }[]).map((a) => a.name);
  assert.deepEqual(names, ["blue-app"]);
  assert.ok(!r.body.includes("red"));
});

test("node routes are served when a node connector is given (raw addresses in the path)", async () => {
  const { createServer } = await import("../../../src/server/index.js");
  const { pino } = await import("pino");
  const connector = {
    canonicalAddress: (raw: string) => raw,
    probe: async () => ({ engineId: "e", name: "n", cpus: 1, memory: 1, labels: {}, warnings: [] }),
    watch: () => undefined,
    unwatch: () => undefined,
    health: () => undefined,
  };
  const app = await createServer({
    store: h.store,
    config: h.config,
    logger: pino({ level: "silent" }),
    nodeConnector: connector,
  });
  try {
    const list = await call(app, "GET", "/1.2/node", { token: w.admin });
    assert.ok([200, 204].includes(list.status), list.body);
    const info = await call(app, "GET", "/1.6/node/https://10.0.0.9:2376", { token: w.admin });
    assert.ok(info.status >= 400 && info.status < 500, `${info.status} ${info.body}`);
    assert.equal((await call(app, "GET", "/1.2/node", { token: w.alice })).status < 500, true);
  } finally {
    await app.close();
  }
  assert.equal((await call(h.app, "GET", "/1.2/node", { token: w.admin })).status, 404);
});
