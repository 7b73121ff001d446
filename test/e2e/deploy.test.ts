// Wharf's main job end to end on the 3-node cluster, through its own router: a node app
// with web + worker processes is deployed from a directory with `wharf app deploy`, scaled
// to one web unit per node, reconfigured with env set, redeployed under load without a
// failed request, rolled back, and a deploy whose healthcheck fails leaves it serving.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import type { DevClusterInfo } from "../../src/cluster/dev/cluster.js";
import { hostEngine, nodeClient, testClusterDone, testClusterUp } from "../support/dev-cluster.js";
import { buildCli, runCli } from "../integration/cli/helpers.js";
import { spawnServer, stopServer } from "../support/server-process.js";
import { ensureHostPlatformImage } from "../support/platform-image.js";

const dir = mkdtempSync(join(tmpdir(), "wharf-e2e-deploy-"));
const home = join(dir, "home");
const appDir = join(dir, "app");
const APP = "hello";
let info: DevClusterInfo;
let server: ChildProcess | undefined;
let routerUrl = "";

async function ok(args: string[], input?: string) {
  const r = await runCli(args, { home, input, cwd: appDir });
  assert.equal(r.code, 0, `wharf ${args.join(" ")} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** One request through the router, as a browser would address the app. */
async function get(path = "/"): Promise<{ status: number; body: string }> {
  const res = await request(`${routerUrl}${path}`, {
    headers: { host: `${APP}.wharf.localhost` },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

function writeApp(version: string, healthPath = "/health"): void {
  mkdirSync(appDir, { recursive: true });
  writeFileSync(
    join(appDir, "server.js"),
    `const http = require("http");
const os = require("os");
http.createServer((req, res) => {
  if (req.url !== "/" && req.url !== "/health") { res.statusCode = 404; return res.end("not found"); }
  res.end(JSON.stringify({ unit: os.hostname(), version: ${JSON.stringify(version)}, greeting: process.env.GREETING || "" }));
}).listen(process.env.PORT);
process.on("SIGTERM", () => setTimeout(() => process.exit(0), 200));
`,
  );
  writeFileSync(join(appDir, "worker.js"), `setInterval(() => console.log("working"), 1000);\n`);
  writeFileSync(join(appDir, "Procfile"), "web: node server.js\nworker: node worker.js\n");
  writeFileSync(join(appDir, "tsuru.yaml"), `healthcheck:\n  path: ${healthPath}\n  status: 200\n`);
  writeFileSync(join(appDir, ".tsuruignore"), "secret.txt\n");
  writeFileSync(join(appDir, "secret.txt"), "never uploaded\n");
}

async function webUnits(): Promise<Array<{ Name: string; IP: string; Node: string; Status: string }>> {
  const out = JSON.parse((await ok(["app", "info", "-a", APP, "--json"])).stdout) as {
    units: Array<{ Name: string; IP: string; Node: string; Status: string; ProcessName: string }>;
  };
  return out.units.filter((u) => u.ProcessName === "web");
}

before(async () => {
  buildCli();
  info = await testClusterUp();
  const platformImage = await ensureHostPlatformImage(hostEngine(), "node", info.registry);
  mkdirSync(home);
  mkdirSync(appDir);
  await ok(["server", "init", "-e", "admin@example.com", "--data-dir", join(dir, "data")], "admin-pass-1\n");
  const started = await spawnServer({
    dataDir: join(dir, "data"),
    home: dir,
    router: true,
    env: {
      WHARF_LOG_LEVEL: "warn",
      WHARF_NODE_TLS_DIR: info.tls.dir,
      WHARF_REGISTRY: info.registry,
      ...(info.baseImage ? { WHARF_BASE_IMAGE: info.baseImage } : {}),
      WHARF_ROUTER_PORT: "0",
      WHARF_ROUTER_TLS_PORT: "0",
      WHARF_DRAIN_MS: "1500",
    },
    onStdout: (d) => process.stdout.write(`# server: ${d.slice(0, 2000)}`),
  });
  server = started.child;
  routerUrl = started.routerUrl;
  const url = started.url;
  await ok(["target", "add", "t", url, "--set"]);
  await ok(["login", "admin@example.com"], "admin-pass-1\n");
  await ok(["pool", "add", "main", "--default"]);
  for (const n of info.nodes) {
    await ok([
      "node",
      "add",
      `address=https://${n.address}:2376`,
      "pool=main",
      `zone=${n.name}`,
      "--register",
    ]);
  }
  await ok(["platform", "add", "node", "-i", platformImage]);
  await ok(["plan", "create", "small", "-c", "500", "-m", "256M", "--default"]);
  await ok(["team", "create", "devs"]);
  await ok(["app", "create", APP, "node", "-t", "devs"]);
});

after(async () => {
  await stopServer(server);
  await testClusterDone(info);
  rmSync(dir, { recursive: true, force: true });
});

describe("deploying an app on the 3-node cluster through the router", () => {
  test("wharf app deploy of a directory builds v1, starts web and worker, and the router serves it", async () => {
    writeApp("v1");
    const r = await ok(["app", "deploy", "-a", APP, "."]);
    assert.match(r.stdout, /OK/);
    const units = JSON.parse((await ok(["app", "info", "-a", APP, "--json"])).stdout).units as Array<{
      ProcessName: string;
      Status: string;
    }>;
    assert.deepEqual(units.map((u) => u.ProcessName).sort(), ["web", "worker"]);
    assert.ok(units.every((u) => u.Status === "started"));
    const res = await get();
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(res.body).version, "v1");
    // .tsuruignore kept secret.txt out of the image.
    const run = await ok(["app", "run", "-a", APP, "--once", "ls"]);
    assert.doesNotMatch(run.stdout, /secret\.txt/);
    assert.match(run.stdout, /server\.js/);
  });

  test("unit add 2 on web gives one web unit per node and 50 requests reach all three", async () => {
    await ok(["unit", "add", "2", "-a", APP, "-p", "web"]);
    const units = await webUnits();
    assert.equal(units.length, 3);
    assert.equal(new Set(units.map((u) => u.Node)).size, 3, "one web unit per node");
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const res = await get();
      assert.equal(res.status, 200);
      seen.add(JSON.parse(res.body).unit);
    }
    assert.equal(seen.size, 3, `requests reached ${[...seen].join(", ")}`);
  });

  test("env set restarts the units and they serve the new value", async () => {
    await ok(["env", "set", "-a", APP, "GREETING=ahoy"]);
    const res = await get();
    assert.equal(JSON.parse(res.body).greeting, "ahoy");
    assert.equal((await webUnits()).length, 3);
  });

  test("deploying v2 while load runs through the router fails no request", async () => {
    writeApp("v2");
    let stop = false;
    let failed = 0;
    let total = 0;
    const versions = new Set<string>();
    const load = (async () => {
      const deadline = Date.now() + 300_000;
      while (!stop && Date.now() < deadline) {
        try {
          const res = await get();
          total++;
          if (res.status !== 200) failed++;
          else versions.add(JSON.parse(res.body).version);
        } catch {
          total++;
          failed++;
        }
      }
    })();
    try {
      await ok(["app", "deploy", "-a", APP, "."]);
      // Keep going a moment after the switch so the old units' shutdown is covered too.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      stop = true;
      await load;
    }
    console.log(`# during the v2 deploy: ${total} requests, ${failed} failed`);
    assert.equal(failed, 0);
    assert.ok(versions.has("v2"));
    assert.equal(JSON.parse((await get()).body).version, "v2");
    assert.equal((await webUnits()).length, 3, "the unit count survives the deploy");
  });

  test("rollback to v1 serves v1 again", async () => {
    await ok(["app", "deploy", "rollback", "v1", "-a", APP, "-y"]);
    assert.equal(JSON.parse((await get()).body).version, "v1");
  });

  test("a deploy whose healthcheck fails is refused and the previous version keeps serving", async () => {
    writeApp("v4", "/no-such-path");
    const r = await runCli(["app", "deploy", "-a", APP, "."], { home, cwd: appDir });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /did not become healthy/);
    assert.equal(JSON.parse((await get()).body).version, "v1");
    assert.equal((await webUnits()).length, 3);
    const list = JSON.parse((await ok(["app", "deploy", "list", "-a", APP, "--json"])).stdout) as Array<{
      Error: string;
    }>;
    assert.ok(
      list.some((d) => d.Error),
      "the failed deploy is listed with its error",
    );
  });

  test("placement constraints decide the node of new units; a bad expression is refused", async () => {
    const bad = await runCli(["app", "constraints", "-a", APP, "zone=n1"], { home, cwd: appDir });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Invalid constraint/);
    const target = info.nodes[2]!;
    await ok(["app", "constraints", "-a", APP, `zone==${target.name}`]);
    const before = new Set((await webUnits()).map((u) => u.Name));
    await ok(["unit", "add", "1", "-a", APP, "-p", "web"]);
    const added = (await webUnits()).filter((u) => !before.has(u.Name));
    assert.equal(added.length, 1);
    assert.equal(added[0]!.Node, `https://${target.address}:2376`);
    await ok(["app", "constraints", "-a", APP, "--clear"]);
    await ok(["unit", "remove", "1", "-a", APP, "-p", "web"]);
  });

  test("no container is left on the nodes that the store does not know", async () => {
    const known = new Set(
      JSON.parse((await ok(["app", "info", "-a", APP, "--json"])).stdout).units.map(
        (u: { ID: string }) => u.ID,
      ),
    );
    for (let i = 0; i < 3; i++) {
      const cs = await nodeClient(info, i).listContainers({
        all: true,
        filters: JSON.stringify({ label: ["wharf.managed=true"] }),
      });
      for (const c of cs) assert.ok(known.has(c.Id), `orphan container ${c.Names[0]} on node ${i + 1}`);
    }
  });
});
