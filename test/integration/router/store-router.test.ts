import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { pino } from "pino";
import { harness, world, type Harness } from "../api/helpers.js";
import { startEmbeddedRouter } from "../../../src/router/embedded.js";
import { ROUTE_CHANGE_KIND } from "../../../src/router/source.js";
import { backendOf, get, startBackend, type TestBackend } from "./helpers.js";
import { eventually } from "./cert-helpers.js";

let h: Harness;
let backend: TestBackend;

before(async () => {
  h = await harness();
  await world(h.app);
  backend = await startBackend("blue-unit");
});
after(async () => {
  await backend.close();
  await h.close();
});

const setApp = () =>
  h.store.appendChange(ROUTE_CHANGE_KIND, [
    { op: "set-app", route: { app: "blue-app", cnames: [], backends: [backendOf(backend)] } },
  ]);

test("the embedded router serves <app>.<domain> from the store and applies route changes from the feed", async () => {
  const router = await startEmbeddedRouter(h.store, h.config, pino({ level: "silent" }), {
    env: { WHARF_ROUTER_PORT: "0", WHARF_ROUTER_TLS_PORT: "off" },
  });
  try {
    const port = router.addresses.http!.port;
    // Apps exist in the store but have no units yet: routed, and 503 names the app.
    const before = await get(port, "blue-app.wharf.localhost");
    assert.equal(before.status, 503);
    assert.match(before.body, /blue-app/);
    await setApp();
    await eventually(
      async () => (await get(port, "blue-app.wharf.localhost")).body === "blue-unit",
      "the route change",
    );
    assert.equal((await get(port, "red-app.wharf.localhost")).status, 503);
    assert.equal((await get(port, "ghost.wharf.localhost")).status, 404);
  } finally {
    await router.close();
  }
});

test("`wharf router` as its own process opens the server's store and follows its route changes", async () => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "router", "--data-dir", h.dir, "--port", "0"].concat([
      "--tls-port",
      "off",
      "--admin-port",
      "off",
      "--workers",
      "1",
    ]),
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, WHARF_DATABASE_URL: "" } },
  );
  try {
    let err = "";
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        err += d;
        const m = /http :(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`wharf router exited with ${code}: ${err}`)));
    });
    await setApp();
    // Another process's SQLite commits reach the router through the feed's polling.
    await eventually(
      async () => (await get(port, "blue-app.wharf.localhost")).body === "blue-unit",
      "the route change in the router process",
    );
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
});
