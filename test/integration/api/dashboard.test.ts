// The dashboard's static files as `wharf server` serves them (src/api/dashboard.ts), and the
// API fields the dashboard added: units in the app list with a status filter, the router's
// ports in GET /routers, and what a node's units reserve in node info.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { pino } from "pino";
import { createServer } from "../../../src/api/server.js";
import { publishRouterPorts } from "../../../src/domain/services/catalog.js";
import { harness, call, world, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;
let bundle: string;
const SCRIPT = `console.log(${JSON.stringify("x".repeat(4000))});\n`;

before(async () => {
  bundle = mkdtempSync(join(tmpdir(), "wharf-dashboard-"));
  mkdirSync(join(bundle, "assets"));
  writeFileSync(join(bundle, "index.html"), "<!doctype html><title>Wharf</title><div id=app></div>");
  writeFileSync(join(bundle, "assets", "index-abc123.js"), SCRIPT);
  writeFileSync(join(tmpdir(), "wharf-dashboard-outside.txt"), "outside the bundle");
  symlinkSync(join(tmpdir(), "wharf-dashboard-outside.txt"), join(bundle, "assets", "escape.js"));
  h = await harness({ dashboardDir: bundle });
  w = await world(h.app);
});
after(async () => {
  await h.close();
  rmSync(bundle, { recursive: true, force: true });
});

test("page paths (also with dots and colons, as node addresses have) answer the app shell without a token", async () => {
  for (const path of [
    "/dashboard/",
    "/dashboard/apps/blue-app",
    "/dashboard/apps/blue-app/deploys",
    `/dashboard/nodes/${encodeURIComponent("https://10.0.0.5:2376")}`,
  ]) {
    const r = await call(h.app, "GET", path);
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    assert.match(r.body, /<div id=app>/, path);
    assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-cache");
    assert.match(String(r.headers["content-security-policy"]), /default-src 'self'; script-src 'self'/);
    assert.equal(r.headers["x-frame-options"], "DENY");
  }
});

test("a browser opening the server's address or /dashboard is sent to /dashboard/; API clients get a 404 sentence", async () => {
  const html = await call(h.app, "GET", "/", { headers: { accept: "text/html,application/xhtml+xml" } });
  assert.equal(html.status, 302);
  assert.equal(html.headers.location, "/dashboard/");
  const bare = await call(h.app, "GET", "/dashboard");
  assert.equal(bare.status, 302);
  assert.equal(bare.headers.location, "/dashboard/");
  const api = await call(h.app, "GET", "/");
  assert.equal(api.status, 404);
  assert.match(api.body, /the dashboard is at \/dashboard\//);
});

test("assets are served compressed as the browser accepts (brotli, then gzip) and cached as immutable", async () => {
  const path = "/dashboard/assets/index-abc123.js";
  const br = await call(h.app, "GET", path, { headers: { "accept-encoding": "gzip, deflate, br" } });
  assert.equal(br.status, 200);
  assert.equal(br.headers["content-encoding"], "br");
  assert.equal(br.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.equal(br.headers["content-type"], "text/javascript; charset=utf-8");
  const brBody = await h.app.inject({ method: "GET", url: path, headers: { "accept-encoding": "br" } });
  assert.equal(brotliDecompressSync(brBody.rawPayload).toString(), SCRIPT);
  assert.ok(brBody.rawPayload.length < SCRIPT.length / 4);
  const gz = await h.app.inject({ method: "GET", url: path, headers: { "accept-encoding": "gzip, br;q=0" } });
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.equal(gunzipSync(gz.rawPayload).toString(), SCRIPT);
  const plain = await call(h.app, "GET", path, { headers: { "accept-encoding": "identity" } });
  assert.equal(plain.headers["content-encoding"], undefined);
  assert.equal(plain.body, SCRIPT);
  assert.equal(plain.headers.vary, "accept-encoding");
});

test("missing assets, paths out of the bundle and symlinks out of it are 404s; a bad escape is a 400", async () => {
  const missing = await call(h.app, "GET", "/dashboard/assets/index-gone.js");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.trim(), "Not found: /dashboard/assets/index-gone.js.");
  assert.equal((await call(h.app, "GET", "/dashboard/favicon.ico")).status, 404);
  for (const p of [
    "/dashboard/assets/escape.js",
    "/dashboard/assets/..%2F..%2Fwharf-dashboard-outside.txt",
  ]) {
    const r = await call(h.app, "GET", p);
    assert.equal(r.status, 404, `${p}: ${r.body}`);
    assert.ok(!r.body.includes("outside the bundle"), `${p} must not leave the bundle`);
  }
  const bad = await call(h.app, "GET", "/dashboard/apps/%E0%A4%A");
  assert.equal(bad.status, 400, bad.body);
});

test("a rebuilt shell is served at once, without a server restart", async () => {
  writeFileSync(
    join(bundle, "index.html"),
    "<!doctype html><title>Wharf</title><div id=app data-build=2></div>",
  );
  utimesSync(join(bundle, "index.html"), new Date(), new Date(Date.now() + 5000));
  const r = await call(h.app, "GET", "/dashboard/apps");
  assert.match(r.body, /data-build=2/);
});

test("a server without a built dashboard says how to build it (503), and the API works as before", async () => {
  const empty = mkdtempSync(join(tmpdir(), "wharf-dashboard-empty-"));
  const app = await createServer({
    store: h.store,
    config: { ...h.config, dashboardDir: empty },
    logger: pino({ level: "silent" }),
  });
  try {
    const r = await call(app, "GET", "/dashboard/apps");
    assert.equal(r.status, 503);
    assert.match(r.body, /run `npm run build`/);
    assert.equal((await call(app, "GET", "/1.0/apps", { token: w.alice })).status, 200);
  } finally {
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  }
});

test("the app list carries each app's units, and status= keeps only apps with a unit in that status", async () => {
  const unit = (id: string, status: "started" | "error") =>
    h.store.createUnit({
      id,
      app: "blue-app",
      process: "web",
      version: 1,
      node: "https://10.0.0.7:2376",
      containerId: `c-${id}`,
      host: "10.0.0.7",
      port: 30001,
      status,
      routable: status === "started",
      restartGen: 0,
      error: "",
    });
  await unit("blue-app-web-0001", "started");
  await unit("blue-app-web-0002", "error");
  const all = (await call(h.app, "GET", "/1.0/apps", { token: w.admin })).json() as Array<{
    name: string;
    units: Array<{ Name: string; Status: string; ProcessName: string }>;
  }>;
  const blue = all.find((a) => a.name === "blue-app")!;
  assert.deepEqual(blue.units.map((u) => [u.Name, u.Status, u.ProcessName]).sort(), [
    ["blue-app-web-0001", "started", "web"],
    ["blue-app-web-0002", "error", "web"],
  ]);
  assert.deepEqual(all.find((a) => a.name === "red-app")!.units, []);
  const errored = await call(h.app, "GET", "/1.0/apps?status=error", { token: w.admin });
  assert.deepEqual(
    (errored.json() as Array<{ name: string }>).map((a) => a.name),
    ["blue-app"],
  );
  assert.equal((await call(h.app, "GET", "/1.0/apps?status=stopped", { token: w.admin })).status, 204);
  // Another team's member sees neither the app nor its units.
  const bob = await call(h.app, "GET", "/1.0/apps?status=error", { token: w.bob });
  assert.equal(bob.status, 204);
});

test("GET /routers tells the ports of the router this server runs, once it listens", async () => {
  const before = (await call(h.app, "GET", "/1.0/routers", { token: w.alice })).json() as Array<{
    info: Record<string, string>;
  }>;
  assert.equal(before[0]!.info["HTTP port"], undefined);
  publishRouterPorts(h.app.ctx, { http: { port: 8123 }, https: { port: 8443 } });
  const r = (await call(h.app, "GET", "/1.0/routers", { token: w.alice })).json() as Array<{
    name: string;
    info: Record<string, string>;
  }>;
  assert.deepEqual(r[0]!.info, { Domain: "wharf.localhost", "HTTP port": "8123", "HTTPS port": "8443" });
});

test("node info tells what the node's units reserve by their apps' plans, as its OpenAPI entry documents", async () => {
  const address = "https://10.0.0.7:2376";
  await h.store.createNode({
    address,
    pool: "default",
    metadata: {},
    engineId: "E7",
    engineName: "n7",
    labels: {},
    cpus: 2,
    memory: 2 ** 31,
    disabled: false,
  });
  const connector = {
    canonicalAddress: (raw: string) => raw,
    probe: async () => ({ engineId: "E7", name: "n7", cpus: 2, memory: 2 ** 31, labels: {}, warnings: [] }),
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
    const r = await call(app, "GET", `/1.6/node/${address}`, { token: w.admin });
    assert.equal(r.status, 200, r.body);
    const info = r.json() as { reserved: unknown; units: unknown[] };
    // Two units of blue-app, whose plan "small" gives each 128 MiB and 100 CPU shares.
    assert.deepEqual(info.reserved, { units: 2, memory: 2 * 128 * 2 ** 20, cpushare: 200 });
    assert.equal(info.units.length, 2);
    // The answer's every field is in its OpenAPI entry (node routes exist with a connector only).
    assert.deepEqual(undocumented(info, responseSchema(await openapi(app), "/node/{*}")), []);
  } finally {
    await app.close();
  }
});

/** The keys of `value` (and of its items and nested objects) that `schema` does not document. */
function undocumented(value: unknown, schema: Record<string, unknown>, at = ""): string[] {
  if (Array.isArray(value))
    return value.flatMap((v, i) =>
      undocumented(v, (schema.items ?? {}) as Record<string, unknown>, `${at}[${i}]`),
    );
  if (!value || typeof value !== "object") return [];
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  if (!schema.properties) return schema.additionalProperties ? [] : [`${at} (no properties documented)`];
  return Object.entries(value).flatMap(([k, v]) =>
    props[k] ? undocumented(v, props[k], `${at}.${k}`) : schema.additionalProperties ? [] : [`${at}.${k}`],
  );
}

type OpenApi = {
  paths: Record<
    string,
    Record<
      string,
      { responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }> }
    >
  >;
};

async function openapi(app: Harness["app"]): Promise<OpenApi> {
  return (await call(app, "GET", "/openapi.json")).json() as OpenApi;
}

function responseSchema(doc: OpenApi, path: string): Record<string, unknown> {
  const s = doc.paths[path]?.get?.responses["200"]?.content["application/json"]?.schema;
  assert.ok(s, `GET ${path} has a documented 200 answer`);
  return s;
}

test("OpenAPI documents every field of the app list's units and of the routers' answer", async () => {
  const doc = await openapi(h.app);
  const apps = (await call(h.app, "GET", "/1.0/apps", { token: w.admin })).json() as Array<{
    units: unknown[];
  }>;
  assert.ok(
    apps.some((a) => a.units.length > 0),
    "the app list holds units to check",
  );
  assert.deepEqual(undocumented(apps, responseSchema(doc, "/apps")), []);
  const routers = (await call(h.app, "GET", "/1.0/routers", { token: w.alice })).json();
  assert.deepEqual(undocumented(routers, responseSchema(doc, "/routers")), []);
});
