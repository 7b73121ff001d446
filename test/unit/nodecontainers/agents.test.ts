// Node agents' evidence in node health: a malformed report is a sentence, a silent agent
// makes the server poll its node right away (so a dead node is found without waiting for
// the regular poll, here an hour apart), and a report of a started unit's container down
// wakes the healer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openStore, type Store } from "../../../src/store/index.js";
import { AgentRegistry, mintAgentToken, parseReport } from "../../../src/nodecontainers/agents.js";
import { DockerNodeConnector } from "../../../src/cluster/nodes/connector.js";

// Nothing listens on port 9 of loopback: every poll of this "node" fails at once.
const DEAD = "http://127.0.0.1:9";
let store: Store;

before(async () => {
  store = await openStore({ kind: "sqlite", path: ":memory:" });
  await store.createNode({
    address: DEAD,
    pool: "main",
    metadata: {},
    engineId: "E1",
    engineName: "n1",
    labels: {},
    cpus: 1,
    memory: 1,
    disabled: false,
  });
});
after(() => store.close());

test("a report's shape is checked field by field", () => {
  assert.throws(() => parseReport([]), /JSON object/);
  assert.throws(() => parseReport({ Units: "x" }), /Units must be a list/);
  assert.throws(() => parseReport({ Units: [{ ID: 1, Status: "running" }] }), /Units\[0\]\.ID/);
  assert.throws(() => parseReport({ Checks: [{ Name: "docker", Successful: "yes" }] }), /Successful/);
  assert.throws(() => parseReport({ DroppedLines: -1 }), /DroppedLines/);
  assert.deepEqual(parseReport({}), { Addrs: [], Units: [], Checks: [], DroppedLines: 0 });
});

test("a silent agent makes its dead node unhealthy without waiting for the regular poll", async () => {
  let now = Date.now();
  // Polls an hour apart and never started: only the agent's silence triggers checks here.
  const connector = new DockerNodeConnector({
    tls: null,
    monitor: { intervalMs: 3_600_000, failureThreshold: 3 },
  });
  connector.watch(DEAD);
  const silent: string[] = [];
  const agents = new AgentRegistry({
    store,
    health: connector,
    intervalMs: 1000,
    startGraceMs: 0,
    onSilent: (n) => silent.push(n),
    now: () => now,
  });
  await mintAgentToken(store, DEAD, "wharf-agent");
  await agents.report(DEAD, parseReport({ Checks: [{ Name: "docker", Successful: true }] }));
  assert.equal(agents.isLive(DEAD), true);
  await agents.sweep();
  assert.equal(connector.health(DEAD)?.failures, 0, "a reporting agent triggers no checks");
  now += 3001;
  assert.equal(agents.isLive(DEAD), false);
  for (let i = 0; i < 3; i++) {
    await agents.sweep();
    const before = i + 1;
    for (let j = 0; j < 200 && (connector.health(DEAD)?.failures ?? 0) < before; j++)
      await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(connector.health(DEAD)?.state, "unhealthy");
  assert.deepEqual(silent, [DEAD], "the silence is told once");
  connector.stop();
});

test("a report showing a started unit's container not running wakes the healer", async () => {
  const down: string[] = [];
  const agents = new AgentRegistry({ store, intervalMs: 1000, onUnitsDown: (n) => down.push(n) });
  await store.createUnit({
    id: "web-web-1",
    app: "web",
    process: "web",
    version: 1,
    node: DEAD,
    containerId: "c1",
    host: "",
    port: 0,
    status: "started",
    routable: true,
    restartGen: 0,
    error: "",
  });
  await agents.report(
    DEAD,
    parseReport({ Units: [{ ID: "c1", Name: "wharf-web-web-1", Status: "running", Unit: "web-web-1" }] }),
  );
  assert.deepEqual(down, []);
  await agents.report(
    DEAD,
    parseReport({ Units: [{ ID: "c1", Name: "wharf-web-web-1", Status: "exited", Unit: "web-web-1" }] }),
  );
  await agents.report(DEAD, parseReport({ Units: [] }));
  assert.deepEqual(down, [DEAD, DEAD]);
});
