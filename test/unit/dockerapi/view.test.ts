// The endpoint's scheduler view for one caller: everything on a node takes room (units,
// built-in service containers, every team's endpoint containers), but only the caller's own
// containers carry a name, image and labels, so an affinity can never find another tenant's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { endpointView, nodeUsage } from "../../../src/dockerapi/view.js";
import type {
  DockerContainerRecord,
  NodeRecord,
  ServiceContainerRecord,
  UnitRecord,
} from "../../../src/store/types.js";

const node = (address: string): NodeRecord => ({
  address,
  pool: "main",
  metadata: { zone: address },
  engineId: address,
  engineName: `node-${address}`,
  labels: {},
  cpus: 4,
  memory: 10_000,
  disabled: false,
  health: {
    state: "healthy",
    failures: 0,
    lastSuccess: null,
    lastError: "",
    lastErrorAt: null,
    since: new Date(),
  },
  createdAt: new Date(),
  updatedAt: new Date(),
});

const container = (
  swarmId: string,
  team: string,
  nodeAddress: string,
  name: string,
): DockerContainerRecord => ({
  swarmId,
  team,
  owner: `${team}@x.io`,
  pool: "main",
  node: nodeAddress,
  containerId: `engine-${swarmId}`,
  name,
  engineName: `wd.${swarmId}`,
  image: "busybox:latest",
  memory: 100,
  cpus: 0,
  ports: [],
  hostNetwork: false,
  exposedPorts: [],
  reschedule: false,
  config: JSON.stringify({ Labels: { role: team } }),
  phase: "created",
  createdAt: new Date(),
  updatedAt: new Date(),
});

const unit = { id: "u1", app: "shop", node: "n1", status: "started" } as UnitRecord;
const service = { uuid: "s1", node: "n2", phase: "running", memory: 300 } as ServiceContainerRecord;

function store(docker: DockerContainerRecord[]) {
  return {
    listNodes: async () => [node("n1"), node("n2")],
    listUnits: async () => [unit],
    listApps: async () => [{ name: "shop", plan: "small" }] as never[],
    listPlans: async () => [{ name: "small", memory: 500 }] as never[],
    listServiceContainers: async () => [service],
    listDockerContainers: async () => docker,
  };
}

test("only the caller's teams' containers are named; another team's same-named container is an anonymous reservation", async () => {
  const docker = [container("a1", "alpha", "n1", "web1"), container("b1", "beta", "n2", "web1")];
  const state = await endpointView(store(docker), { teams: ["alpha"], images: () => [] });
  const found = state.findContainer("web1");
  assert.equal(found?.id, "engine-a1");
  assert.equal(found?.node, state.slot("n1"));
  assert.deepEqual(found?.labels, { role: "alpha" });
  const other = state.container("docker:b1");
  assert.ok(other, "beta's container still takes room on n2");
  assert.equal(other.name, undefined);
  assert.equal(other.image, undefined);
  assert.deepEqual(other.labels, {});
  // Seen from beta, it is the other way round.
  const beta = await endpointView(store(docker), { teams: ["beta"], images: () => [] });
  assert.equal(beta.findContainer("web1")?.id, "engine-b1");
  assert.equal(beta.container("engine-a1"), undefined);
});

test("units and service containers count their memory on their node, nameless", async () => {
  const state = await endpointView(store([container("a1", "alpha", "n1", "web1")]), {
    teams: ["alpha"],
    images: () => [],
  });
  const n1 = state.slot("n1")!;
  const n2 = state.slot("n2")!;
  assert.equal(state.usedMemory[n1], 500 + 100);
  assert.equal(state.usedMemory[n2], 300);
  assert.equal(state.findContainer("wharf-u1"), undefined);
  assert.equal(state.containerCount[n1], 2);
});

test("nodes carry their pool, metadata and the images the node cache reports", async () => {
  const state = await endpointView(store([]), {
    teams: ["alpha"],
    images: (address) => (address === "n2" ? [{ Id: "sha256:abc", RepoTags: ["redis:7"] } as never] : []),
  });
  const n2 = state.slot("n2")!;
  assert.equal(state.pools[n2], "main");
  assert.equal(state.names[n2], "node-n2");
  assert.ok(state.images[n2]!.has("redis"));
  assert.equal(state.images[state.slot("n1")!]!.size, 0);
});

test("nodeUsage gives each node the reservations and capacity endpointView's state holds", async () => {
  const docker = [
    { ...container("a1", "alpha", "n1", "web1"), cpus: 1.5 },
    { ...container("a2", "alpha", "n2", "web2"), memory: 0, cpus: 0.25 },
    container("b1", "beta", "n2", "web1"),
    container("x1", "beta", "gone-node", "lost"),
  ];
  const state = await endpointView(store(docker), { teams: ["alpha"], images: () => [] });
  const usage = await nodeUsage(store(docker));
  assert.deepEqual([...usage.keys()], ["n1", "n2"]);
  for (const [address, u] of usage) {
    const i = state.slot(address)!;
    assert.deepEqual(u, {
      usedCpus: state.usedCpus[i],
      usedMemory: state.usedMemory[i],
      totalCpus: state.totalCpus[i],
      totalMemory: state.totalMemory[i],
    });
  }
  assert.equal(usage.get("n1")!.usedMemory, 500 + 100);
  assert.equal(usage.get("n2")!.usedCpus, 0.25);
});
