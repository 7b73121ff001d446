// Shared tests for app log history (bound per app, filters, resume after an id, removal
// with the app), node container entries and node agents (token by hash, revoked with the node).
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import type { Store } from "../../../../src/store/index.js";
import { appInput, seedCatalog, type Backend, type TestDatabase } from "./backend.js";

const line = (app: string, n: number, extra: Partial<{ source: string; unit: string }> = {}) => ({
  app,
  date: new Date(1_700_000_000_000 + n),
  message: `line ${n}`,
  source: extra.source ?? "web",
  unit: extra.unit ?? "u1",
});

export function logTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
    await seedCatalog(store);
    await store.createApp(appInput("a1"));
    await store.createApp(appInput("a2"));
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("app logs: each app keeps only its newest N lines, read oldest first, with ids increasing", async () => {
    const first = await store.appendAppLogs(
      Array.from({ length: 8 }, (_, i) => line("a1", i)),
      5,
    );
    assert.deepEqual(
      first.map((l) => l.message),
      Array.from({ length: 8 }, (_, i) => `line ${i}`),
    );
    assert.ok(first.every((l, i) => i === 0 || l.id > first[i - 1]!.id));
    await store.appendAppLogs([line("a2", 100)], 5);
    const kept = await store.listAppLogs("a1", { limit: 100 });
    assert.deepEqual(
      kept.map((l) => l.message),
      ["line 3", "line 4", "line 5", "line 6", "line 7"],
    );
    assert.equal(kept[0]!.date.getTime(), 1_700_000_000_003);
    assert.deepEqual(
      (await store.listAppLogs("a1", { limit: 2 })).map((l) => l.message),
      ["line 6", "line 7"],
    );
    assert.deepEqual(
      (await store.listAppLogs("a1", { limit: 10, afterId: kept[3]!.id })).map((l) => l.message),
      ["line 7"],
    );
    assert.equal((await store.listAppLogs("a2", { limit: 10 })).length, 1);
  });

  it("app logs: source and unit filters; lines of an unknown app are dropped, not an error", async () => {
    const stored = await store.appendAppLogs(
      [
        line("a1", 1, { source: "web", unit: "u1" }),
        line("a1", 2, { source: "worker", unit: "u2" }),
        line("ghost", 3),
        line("a1", 4, { source: "web", unit: "u3" }),
      ],
      100,
    );
    assert.equal(stored.length, 3);
    assert.deepEqual(
      (await store.listAppLogs("a1", { limit: 10, source: "web" })).map((l) => l.unit),
      ["u1", "u3"],
    );
    assert.deepEqual(
      (await store.listAppLogs("a1", { limit: 10, unit: "u2" })).map((l) => l.source),
      ["worker"],
    );
    const marks = await store.listUnitLogMarks(["u1", "u3", "nope"]);
    assert.deepEqual(Object.keys(marks).sort(), ["u1", "u3"]);
    assert.equal(marks.u3!.getTime(), 1_700_000_000_004);
  });

  it("app logs go with their app", async () => {
    await store.appendAppLogs([line("a1", 1)], 10);
    await store.deleteApp("a1");
    await store.createApp(appInput("a1"));
    assert.deepEqual(await store.listAppLogs("a1", { limit: 10 }), []);
  });

  it("node containers: one entry per name and pool, replaced on set, removed per pool or all", async () => {
    const spec = (image: string) => ({
      Name: "agent",
      PinnedImage: "",
      Disabled: null,
      Config: { Image: image, Env: ["A=1"] },
      HostConfig: { RestartPolicy: { Name: "always" } },
    });
    await store.setNodeContainer("", spec("img:1"));
    await store.setNodeContainer("p1", spec("img:2"));
    await store.setNodeContainer("", spec("img:3"));
    const all = await store.listNodeContainers();
    assert.deepEqual(
      all.map((r) => [r.name, r.pool, r.spec.Config.Image]),
      [
        ["agent", "", "img:3"],
        ["agent", "p1", "img:2"],
      ],
    );
    assert.equal(await store.deleteNodeContainer("agent", "p1"), 1);
    assert.equal((await store.listNodeContainers({ name: "agent" })).length, 1);
    assert.equal(await store.deleteNodeContainer("agent"), 1);
    assert.deepEqual(await store.listNodeContainers(), []);
  });

  it("node agents: found by token hash, a new token replaces the old, reports recorded, gone with the node", async () => {
    await store.createNode({
      address: "https://10.0.0.1:2376",
      pool: "p1",
      metadata: {},
      engineId: "E1",
      engineName: "n1",
      labels: {},
      cpus: 1,
      memory: 1,
      disabled: false,
    });
    await store.setNodeAgent({ node: "https://10.0.0.1:2376", tokenHash: "h-old", container: "wharf-agent" });
    await store.setNodeAgent({ node: "https://10.0.0.1:2376", tokenHash: "h-new", container: "wharf-agent" });
    assert.equal(await store.findNodeAgentByHash("h-old"), null);
    const a = await store.findNodeAgentByHash("h-new");
    assert.equal(a?.node, "https://10.0.0.1:2376");
    assert.equal(a?.lastReportAt, null);
    const at = new Date(1_700_000_123_000);
    await store.recordNodeAgentReport("https://10.0.0.1:2376", at, { units: 2 });
    const b = await store.findNodeAgent("https://10.0.0.1:2376");
    assert.equal(b?.lastReportAt?.getTime(), at.getTime());
    assert.deepEqual(b?.report, { units: 2 });
    await store.deleteNode("https://10.0.0.1:2376");
    assert.equal(await store.findNodeAgentByHash("h-new"), null);
    assert.deepEqual(await store.listNodeAgents(), []);
  });
}
