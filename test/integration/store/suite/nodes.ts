// Shared node tests: registration, duplicates by address and by engine, patches, health.
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { ConflictError, NotFoundError, type Store } from "../../../../src/store/index.js";
import type { Backend, TestDatabase } from "./backend.js";

const node = (address: string, engineId: string) => ({
  address,
  pool: "p1",
  metadata: { zone: "a" },
  engineId,
  engineName: "n1",
  labels: { storagedriver: "overlay2", ostype: "linux" },
  cpus: 2,
  memory: 2 ** 31,
  disabled: false,
});

export function nodeTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("nodes: registered once by address and once by engine; duplicates are conflicts naming the node", async () => {
    const n = await store.createNode(node("https://10.0.0.1:2376", "E1"));
    assert.equal(n.health.state, "pending");
    assert.deepEqual(n.metadata, { zone: "a" });
    await assert.rejects(store.createNode(node("https://10.0.0.1:2376", "E2")), ConflictError);
    await assert.rejects(
      store.createNode(node("https://10.0.0.9:2376", "E1")),
      (e: unknown) => e instanceof ConflictError && /10\.0\.0\.1/.test(e.message),
    );
    assert.equal((await store.listNodes()).length, 1);
  });

  it("nodes: list by pool, patch metadata and disable, delete; unknown addresses are typed not-found", async () => {
    await store.createNode(node("https://10.0.0.1:2376", "E1"));
    await store.createNode({ ...node("https://10.0.0.2:2376", "E2"), pool: "p2" });
    assert.deepEqual(
      (await store.listNodes({ pool: "p2" })).map((n) => n.address),
      ["https://10.0.0.2:2376"],
    );
    const u = await store.updateNode("https://10.0.0.1:2376", { metadata: { zone: "b" }, disabled: true });
    assert.equal(u.disabled, true);
    assert.deepEqual(u.metadata, { zone: "b" });
    assert.deepEqual(u.labels, { storagedriver: "overlay2", ostype: "linux" }, "untouched fields stay");
    await assert.rejects(store.updateNode("https://10.9.9.9:2376", { disabled: true }), NotFoundError);
    await store.deleteNode("https://10.0.0.1:2376");
    await assert.rejects(store.deleteNode("https://10.0.0.1:2376"), NotFoundError);
    assert.equal(await store.findNode("https://10.0.0.1:2376"), null);
  });

  it("nodes: health round-trips with its times", async () => {
    await store.createNode(node("https://10.0.0.1:2376", "E1"));
    const at = new Date("2026-01-02T03:04:05.678Z");
    await store.setNodeHealth("https://10.0.0.1:2376", {
      state: "unhealthy",
      failures: 3,
      lastSuccess: new Date(at.getTime() - 5000),
      lastError: "connection refused",
      lastErrorAt: at,
      since: at,
    });
    const h = (await store.getNode("https://10.0.0.1:2376")).health;
    assert.equal(h.state, "unhealthy");
    assert.equal(h.failures, 3);
    assert.equal(h.lastErrorAt!.toISOString(), at.toISOString());
    assert.equal(h.lastSuccess!.getTime(), at.getTime() - 5000);
    assert.equal(h.lastError, "connection refused");
  });
}
