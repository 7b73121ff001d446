// The scheduler's view for units counts the Docker-API endpoint's containers: their memory
// reservations and host ports take room on their node, so units and those containers share
// capacity (and a unit publishing a port never lands where an endpoint container holds it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterView, placeUnits } from "../../../src/provision/docker/placement.js";
import type { DockerContainerRecord, NodeRecord } from "../../../src/store/types.js";

const node = (address: string): NodeRecord => ({
  address,
  pool: "main",
  metadata: {},
  engineId: address,
  engineName: address,
  labels: {},
  cpus: 2,
  memory: 1000,
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

const endpointContainer = (nodeAddress: string, memory: number): DockerContainerRecord => ({
  swarmId: `sid-${nodeAddress}`,
  team: "alpha",
  owner: "a@x.io",
  pool: "main",
  node: nodeAddress,
  containerId: "c1",
  name: "big",
  engineName: "wd.x",
  image: "busybox",
  memory,
  cpus: 1,
  ports: [{ hostPort: "8080", hostIp: "" }],
  hostNetwork: false,
  exposedPorts: [],
  reschedule: false,
  config: "{}",
  phase: "created",
  createdAt: new Date(),
  updatedAt: new Date(),
});

test("endpoint containers reserve memory and CPUs on their node in the units' view", () => {
  const state = clusterView([node("n1"), node("n2")], [], new Map(), [], [endpointContainer("n1", 900)]);
  const i = state.slot("n1")!;
  assert.equal(state.usedMemory[i], 900);
  assert.equal(state.usedCpus[i], 1);
  assert.equal(state.containerCount[i], 1);
  assert.ok(state.bridgePorts[i]!.has("8080"));
});

test("a unit that needs more memory than an endpoint container left goes to the other node", () => {
  const state = clusterView([node("n1"), node("n2")], [], new Map(), [], [endpointContainer("n2", 900)]);
  const placed = placeUnits(state, { app: "web", process: "web", pool: "main", memory: 500 }, ["u1", "u2"]);
  assert.deepEqual(placed, ["n1", "n1"]);
});
