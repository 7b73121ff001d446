// Shared service tests: registered services, OSB brokers, instances, bindings (gone with their
// app) and the built-in services' container rows (unique per instance and per node port).
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { ConflictError, NotFoundError, type Store } from "../../../../src/store/index.js";
import { type Backend, type TestDatabase, appInput, seedCatalog } from "./backend.js";

const instance = (name: string, extra: Record<string, unknown> = {}) => ({
  service: "mysql",
  name,
  uuid: `uuid-${name}`,
  plan: "small",
  teamOwner: "t1",
  teams: ["t1"],
  description: "d",
  tags: ["a", "b"],
  parameters: { size: "10" },
  state: "provisioning" as const,
  operation: "",
  message: "",
  ...extra,
});

const container = (uuid: string, instanceName: string, port: number) => ({
  uuid,
  service: "postgresql",
  instance: instanceName,
  teamOwner: "t1",
  plan: "small",
  memory: 256 * 2 ** 20,
  node: "https://10.0.0.1:2376",
  hostPort: port,
  containerId: "",
  volume: `wharf-svc-postgresql-${uuid}`,
  volumeCreated: false,
  secretsSealed: "sealed",
  phase: "creating" as const,
  purge: false,
  message: "",
});

export function serviceTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
    await seedCatalog(store);
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("services and brokers: created once, patched field by field, deleted; unknown names are typed not-found", async () => {
    const s = await store.createService({
      name: "mysql",
      endpoint: "http://x",
      username: "u",
      passwordSealed: "sealed-pw",
      teamOwner: "t1",
      teams: ["t1"],
      doc: "",
    });
    assert.deepEqual(s.teams, ["t1"]);
    await assert.rejects(store.createService({ ...s }), ConflictError);
    const u = await store.updateService("mysql", { teams: ["t1", "t2"], doc: "hello" });
    assert.deepEqual(u.teams, ["t1", "t2"]);
    assert.equal(u.passwordSealed, "sealed-pw", "untouched fields stay");
    await assert.rejects(store.updateService("nope", { doc: "x" }), NotFoundError);
    await store.createServiceBroker({
      name: "b1",
      url: "http://b",
      authSealed: "",
      config: { Context: { a: "1" } },
    });
    assert.deepEqual((await store.updateServiceBroker("b1", { url: "http://c" })).config, {
      Context: { a: "1" },
    });
    assert.deepEqual(
      (await store.listServiceBrokers()).map((b) => b.url),
      ["http://c"],
    );
    await store.deleteServiceBroker("b1");
    await assert.rejects(store.deleteServiceBroker("b1"), NotFoundError);
    await store.deleteService("mysql");
    assert.equal(await store.findService("mysql"), null);
  });

  it("instances: one per service and name, JSON fields round-trip, list by service and team, patch and delete", async () => {
    const i = await store.createServiceInstance(instance("db1"));
    assert.deepEqual(i.parameters, { size: "10" });
    assert.deepEqual(i.tags, ["a", "b"]);
    await assert.rejects(store.createServiceInstance(instance("db1", { uuid: "other" })), ConflictError);
    await store.createServiceInstance(instance("db2", { teams: ["t2"], teamOwner: "t2" }));
    await store.createServiceInstance(instance("db3", { service: "redis" }));
    assert.deepEqual(
      (await store.listServiceInstances({ service: "mysql" })).map((x) => x.name),
      ["db1", "db2"],
    );
    assert.deepEqual(
      (await store.listServiceInstances({ teams: ["t2"] })).map((x) => x.name),
      ["db2"],
    );
    const p = await store.updateServiceInstance("mysql", "db1", { state: "ready", teams: ["t1", "t2"] });
    assert.equal(p.state, "ready");
    assert.equal(p.description, "d");
    await assert.rejects(store.updateServiceInstance("mysql", "nope", { state: "ready" }), NotFoundError);
    await store.deleteServiceInstance("mysql", "db1");
    await assert.rejects(store.deleteServiceInstance("mysql", "db1"), NotFoundError);
  });

  it("bindings: one per app and instance, listed by app or instance, and gone with their app", async () => {
    await store.createApp(appInput("web"));
    await store.createApp(appInput("api"));
    await store.createServiceInstance(instance("db1"));
    const b = { service: "mysql", instance: "db1", app: "web", bindingId: "b-1", envNames: ["A", "B"] };
    await store.createServiceBinding(b);
    await assert.rejects(store.createServiceBinding({ ...b, bindingId: "b-2" }), ConflictError);
    await store.createServiceBinding({ ...b, app: "api", bindingId: "b-3" });
    assert.deepEqual((await store.listServiceBindings({ app: "web" }))[0]!.envNames, ["A", "B"]);
    assert.equal((await store.listServiceBindings({ service: "mysql", instance: "db1" })).length, 2);
    await store.deleteApp("api");
    assert.deepEqual(
      (await store.listServiceBindings()).map((x) => x.app),
      ["web"],
    );
    await store.deleteServiceBinding("mysql", "db1", "web");
    await assert.rejects(store.deleteServiceBinding("mysql", "db1", "web"), NotFoundError);
  });

  it("service containers: one per instance and per node port, patched, listed by node, deleted idempotently", async () => {
    const c = await store.createServiceContainer(container("u1", "orders", 20001));
    assert.equal(c.phase, "creating");
    assert.equal(c.volumeCreated, false);
    await assert.rejects(store.createServiceContainer(container("u2", "orders", 20002)), ConflictError);
    await assert.rejects(store.createServiceContainer(container("u3", "other", 20001)), ConflictError);
    await store.createServiceContainer(container("u4", "other", 20002));
    await assert.rejects(store.updateServiceContainer("u4", { hostPort: 20001 }), ConflictError);
    const p = await store.updateServiceContainer("u1", {
      phase: "removing",
      purge: true,
      volumeCreated: true,
    });
    assert.deepEqual([p.phase, p.purge, p.volumeCreated, p.hostPort], ["removing", true, true, 20001]);
    await assert.rejects(store.updateServiceContainer("nope", { phase: "failed" }), NotFoundError);
    assert.deepEqual(
      (await store.listServiceContainers({ node: "https://10.0.0.1:2376" })).map((x) => x.uuid),
      ["u1", "u4"],
    );
    assert.equal((await store.listServiceContainers({ node: "https://10.0.0.9:2376" })).length, 0);
    await store.deleteServiceContainer("u1");
    await store.deleteServiceContainer("u1");
    assert.equal(await store.findServiceContainer("u1"), null);
    // Its port is free again.
    await store.updateServiceContainer("u4", { hostPort: 20001 });
  });
}
