// Shared deploy-state tests: version numbering, desired processes, routable version and
// restart generations, and units as rows written before their containers exist.
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { ConflictError, NotFoundError, type Store } from "../../../../src/store/index.js";
import { type Backend, type TestDatabase, appInput, seedCatalog } from "./backend.js";

const unit = (id: string, over: Partial<Parameters<Store["createUnit"]>[0]> = {}) => ({
  id,
  app: "web",
  process: "web",
  version: 1,
  node: "https://10.0.0.1:2376",
  containerId: "",
  host: "",
  port: 0,
  status: "created" as const,
  routable: false,
  restartGen: 0,
  error: "",
  ...over,
});

export function deployTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
    await seedCatalog(store);
    await store.createApp(appInput("web"));
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("versions: numbered 1, 2, 3 per app, never reused after a deletion, newest first", async () => {
    const base = { app: "web", origin: "upload", message: "", owner: "a@b.c", eventId: "e1" };
    const v1 = await store.createAppVersion(base);
    const v2 = await store.createAppVersion(base);
    assert.deepEqual([v1.version, v2.version, v1.status], [1, 2, "building"]);
    await store.deleteAppVersion("web", 2);
    assert.equal((await store.createAppVersion(base)).version, 2);
    await store.updateAppVersion("web", 1, {
      status: "ready",
      image: "r:5000/web:v1",
      processes: { web: "node server.js", worker: "node w.js" },
      manifest: { healthcheck: { path: "/health" } },
    });
    const got = await store.findAppVersion("web", 1);
    assert.deepEqual(got?.processes, { web: "node server.js", worker: "node w.js" });
    assert.deepEqual(got?.manifest, { healthcheck: { path: "/health" } });
    assert.deepEqual(
      (await store.listAppVersions("web")).map((v) => v.version),
      [2, 1],
    );
    assert.deepEqual(
      (await store.listAppVersions("web", { status: "ready" })).map((v) => v.version),
      [1],
    );
    assert.equal(await store.failBuildingVersions("server restarted"), 1);
    assert.equal((await store.findAppVersion("web", 2))?.error, "server restarted");
    await assert.rejects(store.updateAppVersion("web", 9, { status: "ready" }), NotFoundError);
  });

  it("processes and runtime: desired units upsert per process; routable version and restart generation", async () => {
    await store.setAppProcess({ app: "web", process: "web", units: 3, stopped: false });
    await store.setAppProcess({ app: "web", process: "worker", units: 1, stopped: false });
    await store.setAppProcess({ app: "web", process: "web", units: 2, stopped: true });
    assert.deepEqual(await store.listAppProcesses("web"), [
      { app: "web", process: "web", units: 2, stopped: true },
      { app: "web", process: "worker", units: 1, stopped: false },
    ]);
    await store.deleteAppProcess("web", "worker");
    assert.equal((await store.listAppProcesses("web")).length, 1);
    assert.deepEqual(await store.getAppRuntime("web"), {
      app: "web",
      routableVersion: 0,
      restartGen: 0,
      constraints: [],
      capacity: null,
    });
    await store.setAppConstraints("web", ["zone==a", "disk!=hdd"]);
    await store.setRoutableVersion("web", 4);
    assert.equal(await store.bumpRestartGen("web"), 1);
    assert.equal(await store.bumpRestartGen("web"), 2);
    assert.deepEqual(await store.getAppRuntime("web"), {
      app: "web",
      routableVersion: 4,
      restartGen: 2,
      constraints: ["zone==a", "disk!=hdd"],
      capacity: null,
    });
  });

  it("healing history: a unit row keeps restarts and its last exit; an app keeps its capacity shortage until cleared", async () => {
    const fresh = await store.createUnit(unit("u1"));
    assert.deepEqual(
      [fresh.restarts, fresh.lastExitReason, fresh.lastExitCode, fresh.lastExitAt],
      [0, "", null, null],
    );
    const at = new Date(1_700_000_000_123);
    const heir = await store.createUnit(
      unit("u2", { restarts: 3, lastExitReason: "exited with code 3", lastExitCode: 3, lastExitAt: at }),
    );
    assert.deepEqual(
      [heir.restarts, heir.lastExitReason, heir.lastExitCode, heir.lastExitAt],
      [3, "exited with code 3", 3, at],
    );
    const oom = await store.updateUnit("u1", {
      restarts: 1,
      lastExitReason: "killed for running out of memory (OOM)",
      lastExitCode: 137,
      lastExitAt: at,
    });
    assert.deepEqual([oom.restarts, oom.lastExitCode, oom.lastExitAt], [1, 137, at]);
    const gone = await store.updateUnit("u1", { lastExitCode: null, lastExitAt: null });
    assert.deepEqual([gone.restarts, gone.lastExitCode, gone.lastExitAt], [1, null, null]);

    const since = new Date(1_700_000_000_000);
    await store.setAppCapacity("web", { missing: 2, reason: "no healthy node", since });
    assert.deepEqual((await store.getAppRuntime("web")).capacity, {
      missing: 2,
      reason: "no healthy node",
      since,
    });
    assert.deepEqual(await store.listCapacityShortages(), [
      { app: "web", missing: 2, reason: "no healthy node", since },
    ]);
    await store.setAppCapacity("web", null);
    assert.equal((await store.getAppRuntime("web")).capacity, null);
    assert.deepEqual(await store.listCapacityShortages(), []);
  });

  it("units: unique ids, filters by app/process/node/routable/status, patches, deletion", async () => {
    await store.createUnit(unit("u1"));
    await store.createUnit(unit("u2", { process: "worker", node: "https://10.0.0.2:2376" }));
    await assert.rejects(store.createUnit(unit("u1")), ConflictError);
    const u = await store.updateUnit("u1", {
      containerId: "c1",
      host: "10.0.0.1",
      port: 32768,
      status: "started",
      routable: true,
    });
    assert.deepEqual(
      [u.containerId, u.host, u.port, u.status, u.routable],
      ["c1", "10.0.0.1", 32768, "started", true],
    );
    assert.deepEqual(
      (await store.listUnits({ app: "web", routable: true })).map((x) => x.id),
      ["u1"],
    );
    assert.deepEqual(
      (await store.listUnits({ node: "https://10.0.0.2:2376" })).map((x) => x.id),
      ["u2"],
    );
    assert.deepEqual(
      (await store.listUnits({ status: ["created", "starting"] })).map((x) => x.id),
      ["u2"],
    );
    assert.equal((await store.listUnits({ process: "worker" })).length, 1);
    await store.deleteUnit("u2");
    await store.deleteUnit("u2");
    assert.equal((await store.listUnits()).length, 1);
    await assert.rejects(store.updateUnit("nope", { status: "started" }), NotFoundError);
  });
}
