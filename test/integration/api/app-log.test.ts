// tsuru's app log routes on a real server and store: the wire format tsuru-client 1.7
// decodes (JSON arrays of {Date, Message, Source, AppName, Unit}, followed entries one per
// array), validation and access, lines from node agents (node-scoped token, deduplicated,
// only for the agent's own node's units), status reports, and history across a restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { request } from "undici";
import { openStore } from "../../../src/store/open.js";
import type { NodeHealthRecord, Store } from "../../../src/store/types.js";
import { createServer, initAdmin } from "../../../src/server/index.js";
import { loadConfig } from "../../../src/config/config.js";
import type { NodeConnector } from "../../../src/domain/services/node-port.js";
import { mintAgentToken } from "../../../src/nodecontainers/agents.js";
import { call, world, type World } from "./helpers.js";

type App = Awaited<ReturnType<typeof createServer>>;

const NODE_A = "https://10.0.0.11:2376";
const NODE_B = "https://10.0.0.12:2376";

/** The cluster side played by a recorder: agent evidence lands here. */
class FakeNodes implements NodeConnector {
  failures: Array<[string, string]> = [];
  checks: string[] = [];
  canonicalAddress(raw: string): string {
    return raw;
  }
  async probe(): Promise<never> {
    throw new Error("no engines in this test");
  }
  watch(): void {}
  unwatch(): void {}
  health(): NodeHealthRecord | undefined {
    return undefined;
  }
  reportFailure(node: string, error: string): void {
    this.failures.push([node, error]);
  }
  checkNow(node: string): void {
    this.checks.push(node);
  }
}

let dir: string;
let store: Store;
let app: App;
let w: World;
let nodes: FakeNodes;
let agentA: string;
let agentB: string;

async function start(): Promise<App> {
  const config = loadConfig({}, { dataDir: dir, logLevel: "silent", logHistoryLines: 50 });
  return createServer({ store, config, logger: pino({ level: "silent" }), nodeConnector: nodes });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "wharf-applog-"));
  store = await openStore({ kind: "sqlite", path: join(dir, "wharf.db"), synchronous: "NORMAL" });
  await initAdmin(store, "admin@example.com", "admin-password");
  nodes = new FakeNodes();
  app = await start();
  w = await world(app);
  for (const [address, id] of [
    [NODE_A, "EA"],
    [NODE_B, "EB"],
  ])
    await store.createNode({
      address: address!,
      pool: "default",
      metadata: {},
      engineId: id!,
      engineName: id!,
      labels: {},
      cpus: 1,
      memory: 2 ** 30,
      disabled: false,
    });
  const unit = (id: string, node: string, process: string) =>
    store.createUnit({
      id,
      app: "blue-app",
      process,
      version: 1,
      node,
      containerId: `c-${id}`,
      host: "",
      port: 0,
      status: "started",
      routable: true,
      restartGen: 0,
      error: "",
    });
  await unit("blue-app-web-aaaa", NODE_A, "web");
  await unit("blue-app-worker-bbbb", NODE_B, "worker");
  agentA = await mintAgentToken(store, NODE_A, "wharf-agent");
  agentB = await mintAgentToken(store, NODE_B, "wharf-agent");
});

after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const entries = (body: string) =>
  body
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Array<Record<string, string>>);

test("the log route refuses a missing or non-integer lines, a bad filter, outsiders and unknown apps", async () => {
  const miss = await call(app, "GET", "/1.0/apps/blue-app/log", { token: w.alice });
  assert.equal(miss.status, 400);
  assert.match(miss.body, /"lines" is mandatory/);
  assert.equal((await call(app, "GET", "/1.0/apps/blue-app/log?lines=ten", { token: w.alice })).status, 400);
  assert.equal(
    (await call(app, "GET", "/1.0/apps/blue-app/log?lines=1&unit=%3Bdrop", { token: w.alice })).status,
    400,
  );
  assert.equal((await call(app, "GET", "/1.0/apps/blue-app/log?lines=1", { token: w.bob })).status, 403);
  assert.equal((await call(app, "GET", "/1.0/apps/nope/log?lines=1", { token: w.alice })).status, 404);
  assert.equal(
    (await call(app, "POST", "/1.0/apps/blue-app/log", { token: w.bob, form: { message: "x" } })).status,
    403,
  );
  assert.equal(
    (await call(app, "POST", "/1.0/apps/blue-app/log", { token: w.alice, form: { source: "x" } })).status,
    400,
  );
});

test("written lines come back as tsuru's JSON array, newest N, filtered by source", async () => {
  const r = await call(app, "POST", "/1.0/apps/blue-app/log", {
    token: w.alice,
    form: { message: ["first line", "second line"], source: "tool" },
  });
  assert.equal(r.status, 200, r.body);
  // tsuru 1.0's form: a JSON array of lines, source and unit in the query.
  const old = await call(app, "POST", "/apps/blue-app/log?source=old&unit=u9", {
    token: w.alice,
    json: ["third"],
  });
  assert.equal(old.status, 200, old.body);
  const all = await call(app, "GET", "/1.0/apps/blue-app/log?lines=10", { token: w.alice });
  assert.equal(all.status, 200);
  assert.match(String(all.headers["content-type"]), /application\/x-json-stream/);
  const [chunk] = entries(all.body);
  assert.deepEqual(
    chunk!.map((e) => [e.Message, e.Source, e.AppName, e.Unit]),
    [
      ["first line", "tool", "blue-app", ""],
      ["second line", "tool", "blue-app", ""],
      ["third", "old", "blue-app", "u9"],
    ],
  );
  assert.deepEqual(Object.keys(chunk![0]!).sort(), ["AppName", "Date", "Message", "Source", "Unit"]);
  assert.ok(!Number.isNaN(Date.parse(chunk![0]!.Date!)));
  const last = entries((await call(app, "GET", "/1.0/apps/blue-app/log?lines=1", { token: w.alice })).body);
  assert.deepEqual(
    last[0]!.map((e) => e.Message),
    ["third"],
  );
  const tool = entries(
    (await call(app, "GET", "/1.0/apps/blue-app/log?lines=10&source=tool", { token: w.alice })).body,
  );
  assert.equal(tool[0]!.length, 2);
  const none = entries((await call(app, "GET", "/1.0/apps/red-app/log?lines=10", { token: w.bob })).body);
  assert.deepEqual(none, [[]]);
});

test("agent lines: stored under the unit's process, resent lines dropped, another node's units refused", async () => {
  const batch = {
    lines: [
      {
        unit: "blue-app-web-aaaa",
        stream: "stdout",
        time: "2030-01-01T00:00:00.000000001Z",
        message: "hello from web",
      },
      {
        unit: "blue-app-web-aaaa",
        stream: "stderr",
        time: "2030-01-01T00:00:00.000000002Z",
        message: "warn from web",
      },
      {
        unit: "blue-app-worker-bbbb",
        stream: "stdout",
        time: "2030-01-01T00:00:00.000000003Z",
        message: "not yours",
      },
      { unit: "ghost-unit", stream: "stdout", time: "2030-01-01T00:00:00.000000004Z", message: "nobody" },
    ],
  };
  const first = await call(app, "POST", "/node/logs", { token: agentA, json: batch });
  assert.equal(first.status, 200, first.body);
  assert.deepEqual(first.json(), { accepted: 2, duplicates: 0, rejected: 2 });
  const again = await call(app, "POST", "/node/logs", { token: agentA, json: batch });
  assert.deepEqual(again.json(), { accepted: 0, duplicates: 2, rejected: 2 });
  const web = entries(
    (await call(app, "GET", "/1.0/apps/blue-app/log?lines=10&unit=blue-app-web-aaaa", { token: w.alice }))
      .body,
  );
  assert.deepEqual(
    web[0]!.map((e) => [e.Message, e.Source]),
    [
      ["hello from web", "web"],
      ["warn from web", "web"],
    ],
  );
  assert.equal(web[0]![0]!.Date, "2030-01-01T00:00:00.000Z");
  const marks = await call(app, "GET", "/node/logmarks", { token: agentA });
  assert.deepEqual(marks.json(), { "blue-app-web-aaaa": "1893456000.000000001" });
  const bad = await call(app, "POST", "/node/logs", {
    token: agentA,
    json: { lines: [{ unit: "blue-app-web-aaaa", stream: "stdin", time: "now", message: "x" }] },
  });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /Line 0: stream/);
});

test("an agent token reports for its node only: every other route answers 403, and users cannot report", async () => {
  for (const [method, url] of [
    ["GET", "/1.0/apps"],
    ["GET", "/1.0/apps/blue-app/log?lines=1"],
    ["GET", "/1.0/users/info"],
    ["POST", "/1.0/apps/blue-app/restart"],
    ["GET", "/1.2/node"],
  ] as const) {
    const r = await call(app, method, url, { token: agentA });
    assert.equal(r.status, 403, `${method} ${url}: ${r.status} ${r.body}`);
    assert.match(r.body, /node agent/);
  }
  assert.equal(
    (await call(app, "POST", "/node/status", { token: w.admin, json: { Units: [] } })).status,
    403,
  );
  assert.equal((await call(app, "POST", "/node/status", { json: { Units: [] } })).status, 401);
  assert.equal((await call(app, "GET", "/node/logmarks", { token: "not-a-token" })).status, 401);
});

test("a status report is recorded for the agent's node, answers Found per unit and feeds node health", async () => {
  const r = await call(app, "POST", "/node/status", {
    token: agentB,
    json: {
      Addrs: ["10.0.0.12"],
      Units: [
        {
          ID: "c-worker",
          Name: "wharf-blue-app-worker-bbbb",
          Status: "running",
          Unit: "blue-app-worker-bbbb",
        },
        { ID: "c-stray", Name: "stray", Status: "exited", Unit: "gone-unit" },
      ],
      Checks: [{ Name: "docker", Err: "ping timed out", Successful: false }],
    },
  });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json(), [
    { ID: "c-worker", Found: true },
    { ID: "c-stray", Found: false },
  ]);
  const a = await store.findNodeAgent(NODE_B);
  assert.ok(a?.lastReportAt);
  assert.deepEqual(nodes.failures, [[NODE_B, "node agent: docker: ping timed out"]]);
  const bad = await call(app, "POST", "/node/status", {
    token: agentB,
    json: { Checks: [{ Name: "docker" }] },
  });
  assert.equal(bad.status, 400);
  assert.match(bad.body, /Successful/);
});

test("a follower gets the history, then each new line as a one-element array, until it hangs up", async () => {
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const res = await request(`${url}/1.0/apps/blue-app/log?lines=2&follow=1&source=tool`, {
    headers: { authorization: `bearer ${w.alice}` },
  });
  assert.equal(res.statusCode, 200);
  const it = res.body[Symbol.asyncIterator]();
  let text = "";
  const nextLines = async (n: number) => {
    while (text.split("\n").filter(Boolean).length < n) text += String((await it.next()).value);
    return entries(text);
  };
  assert.deepEqual(
    (await nextLines(1))[0]!.map((e) => e.Message),
    ["first line", "second line"],
  );
  await call(app, "POST", "/1.0/apps/blue-app/log", {
    token: w.alice,
    form: { message: "other source", source: "x" },
  });
  await call(app, "POST", "/1.0/apps/blue-app/log", {
    token: w.alice,
    form: { message: ["live 1", "live 2"], source: "tool" },
  });
  const got = await nextLines(3);
  assert.deepEqual(got.slice(1), [
    [{ ...got[1]![0]!, Message: "live 1" }],
    [{ ...got[2]![0]!, Message: "live 2" }],
  ]);
  assert.equal(app.nodeAgents.hub.followerCount("blue-app"), 1);
  res.body.destroy();
  for (let i = 0; i < 100 && app.nodeAgents.hub.followerCount("blue-app") > 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(app.nodeAgents.hub.followerCount("blue-app"), 0);
});

test("the history survives a server restart and stays bounded per app", async () => {
  await app.close();
  app = await start();
  const lines = Array.from({ length: 60 }, (_, i) => `bulk ${i}`);
  await call(app, "POST", "/1.0/apps/red-app/log", { token: w.bob, form: { message: lines } });
  await app.close();
  app = await start();
  const blue = entries((await call(app, "GET", "/1.0/apps/blue-app/log?lines=100", { token: w.alice })).body);
  assert.ok(blue[0]!.some((e) => e.Message === "hello from web"));
  const red = entries((await call(app, "GET", "/1.0/apps/red-app/log?lines=100", { token: w.bob })).body);
  assert.equal(red[0]!.length, 50);
  assert.equal(red[0]!.at(-1)!.Message, "bulk 59");
});
