// The Docker-API endpoint's records on both backends: certificates (revocation keeps its
// first time), containers (names unique per team, compare-and-set updates, listing filters)
// and pool policies (a default until set, then upserted).
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { ConflictError, NotFoundError, type Store } from "../../../../src/store/index.js";
import { defaultDockerPoolPolicy } from "../../../../src/store/docker-types.js";
import type { Backend, TestDatabase } from "./backend.js";

const container = (sid: string, team: string, name: string, node = "https://10.0.0.1:2376") => ({
  swarmId: sid,
  team,
  owner: `${team}@example.com`,
  pool: "main",
  node,
  containerId: "",
  name,
  engineName: `wd.${sid}`,
  image: "busybox",
  memory: 2 ** 20,
  cpus: 0.5,
  ports: [{ hostPort: "8080", hostIp: "" }],
  hostNetwork: false,
  exposedPorts: ["80/tcp"],
  reschedule: true,
  config: '{"Image":"busybox"}',
  phase: "creating" as const,
});

export function dockerTests(backend: Backend): void {
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

  it("client certificates: recorded once per serial, listed per user, revoked once (the first time stays)", async () => {
    const notAfter = new Date(Date.now() + 86_400_000);
    await store.createDockerCert({ serial: "4a", userEmail: "a@x.io", fingerprint: "ff", notAfter });
    await assert.rejects(
      store.createDockerCert({ serial: "4a", userEmail: "b@x.io", fingerprint: "ee", notAfter }),
      ConflictError,
    );
    await store.createDockerCert({ serial: "4b", userEmail: "b@x.io", fingerprint: "ee", notAfter });
    assert.deepEqual(
      (await store.listDockerCerts({ userEmail: "a@x.io" })).map((c) => c.serial),
      ["4a"],
    );
    assert.equal((await store.findDockerCert("4a"))!.revokedAt, null);
    const first = new Date(Date.now() - 1000);
    await store.revokeDockerCert("4a", first);
    await store.revokeDockerCert("4a", new Date());
    assert.equal((await store.findDockerCert("4a"))!.revokedAt!.getTime(), first.getTime());
    await assert.rejects(store.revokeDockerCert("nope"), NotFoundError);
  });

  it("containers: names unique per team only, every field kept, filtered by team, node and pool", async () => {
    const a = await store.createDockerContainer(container("s1", "alpha", "web"));
    assert.deepEqual(a.ports, [{ hostPort: "8080", hostIp: "" }]);
    assert.equal(a.cpus, 0.5);
    assert.equal(a.reschedule, true);
    await assert.rejects(store.createDockerContainer(container("s2", "alpha", "web")), ConflictError);
    await store.createDockerContainer(container("s3", "beta", "web", "https://10.0.0.2:2376"));
    assert.deepEqual(
      (await store.listDockerContainers({ teams: ["alpha"] })).map((c) => c.swarmId),
      ["s1"],
    );
    assert.deepEqual((await store.listDockerContainers({ teams: [] })).length, 0);
    assert.deepEqual(
      (await store.listDockerContainers({ node: "https://10.0.0.2:2376" })).map((c) => c.swarmId),
      ["s3"],
    );
    assert.equal((await store.listDockerContainers({ pool: "main" })).length, 2);
    await store.deleteDockerContainer("s3");
    await store.deleteDockerContainer("s3");
    assert.equal(await store.findDockerContainer("s3"), null);
  });

  it("container updates compare and set: only the expected node and phase match, renames onto a used name conflict", async () => {
    await store.createDockerContainer(container("s1", "alpha", "web"));
    await store.createDockerContainer(container("s2", "alpha", "db"));
    const created = await store.updateDockerContainer("s1", { containerId: "abc", phase: "created" });
    assert.equal(created!.containerId, "abc");
    assert.equal(
      await store.updateDockerContainer("s1", { phase: "rescheduling" }, { node: "https://10.0.0.9:2376" }),
      null,
    );
    const claimed = await store.updateDockerContainer(
      "s1",
      { phase: "rescheduling" },
      { node: "https://10.0.0.1:2376", phase: "created" },
    );
    assert.equal(claimed!.phase, "rescheduling");
    assert.equal(
      await store.updateDockerContainer("s1", { phase: "rescheduling" }, { phase: "created" }),
      null,
      "a second claim loses",
    );
    await assert.rejects(store.updateDockerContainer("s2", { name: "web" }), ConflictError);
    assert.equal(await store.updateDockerContainer("missing", { name: "x" }), null);
  });

  it("pool policies: the strict default until set, then replaced whole", async () => {
    assert.deepEqual(await store.getDockerPoolPolicy("main"), defaultDockerPoolPolicy("main"));
    await store.setDockerPoolPolicy({
      ...defaultDockerPoolPolicy("main"),
      allowHostBinds: true,
      containersPerTeam: 5,
    });
    const p = await store.getDockerPoolPolicy("main");
    assert.equal(p.allowHostBinds, true);
    assert.equal(p.allowPrivileged, false);
    assert.equal(p.containersPerTeam, 5);
    await store.setDockerPoolPolicy({ ...p, containersPerTeam: -1 });
    assert.equal((await store.getDockerPoolPolicy("main")).containersPerTeam, -1);
  });
}
