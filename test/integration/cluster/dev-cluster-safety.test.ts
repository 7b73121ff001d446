// `wharf dev cluster up/down` never takes away nodes a user's Wharf still uses: fewer --nodes
// keeps the extra nodes, --shrink refuses nodes a Wharf store on this machine has registered
// (unless --force), and down asks or needs --yes. Runs the built CLI against the test cluster;
// the "store on this machine" is a real SQLite store in WHARF_DATA_DIR, written through the
// Store interface as `wharf server` writes it.
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { down, leftovers, status } from "../../../src/cluster/dev/cluster.js";
import { nodeNames } from "../../../src/cluster/dev/layout.js";
import { readPid } from "../../../src/cluster/dev/daemon.js";
import { openStore } from "../../../src/store/index.js";
import { buildCli, CLI, runCli } from "../cli/helpers.js";
import { appInput, seedCatalog } from "../store/suite/backend.js";
import { TEST_CLUSTER_ENV, testLayout } from "../../support/dev-cluster.js";

const l = testLayout();
const dir = mkdtempSync(join(tmpdir(), "wharf-dev-safety-"));
const dataDir = join(dir, "data");
const storePath = join(dataDir, "wharf.db");
// Every store the command looks at is this test's own (WHARF_UP_STATE moves the wharf-up.sh one).
const env = { ...TEST_CLUSTER_ENV, WHARF_DATA_DIR: dataDir, WHARF_UP_STATE: join(dir, "up") } as Record<
  string,
  string
>;
const dev = (...args: string[]) => runCli(["dev", "cluster", ...args], { env });
const address = (i: number) => `https://${nodeNames(l, i).address}:${l.dockerPort}`;

/** Registers dev node i in pool `pool` with `units` units of app web-<i>, as `wharf server` would. */
async function register(i: number, pool: string, units: number): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const store = await openStore({ kind: "sqlite", path: storePath });
  try {
    if (!(await store.findUser("alice@example.com"))) await seedCatalog(store);
    await store.createPool({ name: pool, isDefault: false }).catch(() => undefined);
    const app = `web-${i}`;
    await store.createApp(appInput(app, { pool }));
    await store.createNode({
      address: address(i),
      pool,
      metadata: {},
      engineId: `E${i}`,
      engineName: `n${i}`,
      labels: {},
      cpus: 2,
      memory: 2 ** 31,
      disabled: false,
    });
    for (let u = 0; u < units; u++)
      await store.createUnit({
        id: `${app}-u${u}`,
        app,
        process: "web",
        version: 1,
        node: address(i),
        containerId: "",
        host: "",
        port: 0,
        status: "started",
        routable: true,
        restartGen: 0,
        error: "",
      });
  } finally {
    await store.close();
  }
}

async function dockerds(): Promise<Record<string, string>> {
  return Object.fromEntries((await status(l)).nodes.map((n) => [n.name, n.dockerd]));
}

describe("dev cluster up/down keep what a user built", () => {
  before(async () => {
    buildCli();
    await down(l); // a previous crashed run must not leak into this one
  });

  after(async () => {
    await down(l);
    rmSync(dir, { recursive: true, force: true });
  });

  test("up --nodes 1 after up --nodes 3 keeps all 3 running and says --shrink removes n2, n3", async () => {
    const first = await dev("up", "--nodes", "3");
    assert.equal(first.code, 0, first.stderr);
    const pids = await Promise.all([1, 2, 3].map((i) => readPid(nodeNames(l, i).pidFile)));
    const r = await dev("up", "--nodes", "1");
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /kept n2, n3, beyond --nodes 1: `wharf dev cluster up --nodes 1 --shrink` removes them/,
    );
    assert.match(r.stdout, /already up: nothing changed/);
    assert.deepEqual(await dockerds(), { n1: "running", n2: "running", n3: "running" });
    assert.deepEqual(await Promise.all([1, 2, 3].map((i) => readPid(nodeNames(l, i).pidFile))), pids);
  });

  test("--shrink refuses while a Wharf store has a node beyond --nodes registered, naming it, its pool and units", async () => {
    await register(3, "team-pool", 2);
    const r = await dev("up", "--nodes", "1", "--shrink");
    assert.equal(r.code, 1);
    assert.ok(
      r.stderr.includes(
        `n3 (${address(3)}) is registered in the store at ${storePath} in pool team-pool with 2 units`,
      ),
      r.stderr,
    );
    assert.match(r.stderr, /add --force to remove them anyway/);
    // Refused as a whole: the unregistered n2 is not removed either.
    assert.deepEqual(await dockerds(), { n1: "running", n2: "running", n3: "running" });
  });

  test("--shrink refuses when a store exists but cannot be read: it may hold the nodes", async () => {
    const other = join(dir, "broken");
    rmSync(other, { recursive: true, force: true });
    const broken = join(other, "wharf.db");
    mkdirSync(other, { recursive: true });
    writeFileSync(broken, "this is not a database");
    const r = await runCli(["dev", "cluster", "up", "--nodes", "2", "--shrink"], {
      env: { ...env, WHARF_DATA_DIR: other },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`could not read the store at ${broken} .*add --force`));
    assert.deepEqual(await dockerds(), { n1: "running", n2: "running", n3: "running" });
  });

  test("--shrink --force removes the registered node", async () => {
    const r = await dev("up", "--nodes", "2", "--shrink", "--force");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed n3/);
    assert.deepEqual(await dockerds(), { n1: "running", n2: "running" });
    assert.equal(existsSync(nodeNames(l, 3).dataRoot), false);
  });

  test("--shrink removes a node no store has registered without --force", async () => {
    const r = await dev("up", "--nodes", "1", "--shrink");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await dockerds(), { n1: "running" });
  });

  test("--force without --shrink is a usage error", async () => {
    const r = await dev("up", "--nodes", "1", "--force");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--force only goes with --shrink/);
  });

  test("down without --yes in a non-interactive shell refuses with a sentence while a store has nodes registered", async () => {
    await register(1, "main", 1);
    const r = await dev("down");
    assert.equal(r.code, 2);
    assert.ok(
      r.stderr.includes(
        `n1 (${address(1)}) is registered in the store at ${storePath} in pool main with 1 unit`,
      ),
      r.stderr,
    );
    assert.match(
      r.stderr,
      /Remove the dev cluster anyway: refusing without confirmation; pass --yes to confirm/,
    );
    assert.deepEqual(await dockerds(), { n1: "running" });
  });

  test("down on a terminal says what will be lost, asks, and keeps the cluster on no", async () => {
    // util-linux `script` gives the CLI a real pseudo-terminal; answer once the question shows.
    const child = spawn("script", ["-qec", `${process.execPath} ${CLI} dev cluster down`, "/dev/null"], {
      env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
    });
    let out = "";
    const code = await new Promise<number | null>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("(y/n)") && child.stdin.writable) child.stdin.end("n\n");
      });
      child.on("error", reject);
      child.on("close", resolve);
    });
    assert.match(
      out,
      /n1 \(https:\/\/[\d.]+:2376\) is registered in the store at .* in pool main with 1 unit/,
    );
    assert.match(out, /Remove the dev cluster anyway\? \(y\/n\)/);
    assert.match(out, /aborted/);
    assert.equal(code, 1);
    assert.deepEqual(await dockerds(), { n1: "running" });
  });

  test("down --yes removes the cluster and everything it created", async () => {
    const r = await dev("down", "--yes");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await leftovers(l), []);
  });
});
