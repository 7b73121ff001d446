// ClusterState bookkeeping, engine labels and health indicator helpers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterState, engineLabels, healthIndicator } from "../../../src/scheduler/index.js";
import { cluster, nodes, run } from "./helpers.js";

test("commit, move and remove keep node, group and app counts in step", () => {
  const { state, sched } = cluster(nodes(4, (i) => ({ metadata: { pool: "p", zone: i < 2 ? "a" : "b" } })));
  const id = sched.placeAndCommit({ app: "a", process: "web", pool: "p", memory: 100, cpus: 1 });
  assert.ok(id.ok);
  const c = state.counts("a", "web")!;
  const from = state.slot(id.value.nodeId)!;
  assert.equal(c.total, 1);
  assert.equal(c.byNode[from], 1);
  assert.equal(c.byGroup[state.groupId[from]!], 1);
  const to = from === 3 ? 0 : 3;
  state.moveContainer(id.value.unitId, state.ids[to]!);
  assert.deepEqual(
    [c.byNode[from], c.byNode[to], state.usedMemory[to], state.usedCpus[from]],
    [0, 1, 100, 0],
  );
  state.removeContainer(id.value.unitId);
  assert.deepEqual([c.total, c.byNode[to], state.containerCount[to], state.usedMemory[to]], [0, 0, 0, 0]);
});

test("adding nodes regroups and keeps group counts right", () => {
  const state = new ClusterState(nodes(2, () => ({ metadata: { pool: "p", zone: "a" } })));
  state.addContainer("node-0", { id: "u1", app: "a" });
  state.addNode({ id: "n-b", cpus: 1, memory: 1, metadata: { pool: "p", zone: "b" } });
  state.ensureGroups();
  const c = state.counts("a", undefined)!;
  assert.equal(c.byGroup[state.groupId[0]!], 1);
  assert.equal(c.byGroup[state.groupId[2]!], 0);
  assert.notEqual(state.groupId[0], state.groupId[2]);
});

test("removing a node forgets its containers and its name index", () => {
  const { state, sched } = cluster(nodes(2));
  run(sched, { name: "web1", app: "a", constraints: ["node==node-0"] });
  state.removeNode("node-0");
  assert.equal(state.findContainer("web1"), undefined);
  assert.equal(state.counts("a", undefined)!.total, 0);
  assert.equal(run(sched, { name: "web1" }), "node-1");
});

test("duplicate nodes, containers and names are refused", () => {
  const state = new ClusterState(nodes(1));
  assert.throws(() => state.addNode(nodes(1)[0]!), /already exists/);
  state.addContainer("node-0", { id: "c", name: "/x" });
  assert.throws(() => state.addContainer("node-0", { id: "c" }), /already exists/);
  assert.throws(() => state.addContainer("node-0", { id: "d", name: "x" }), /already in use/);
});

test("clone is deep: changes to the copy leave the original alone", () => {
  const { state, sched } = cluster(
    nodes(2, () => ({ metadata: { pool: "p" } })),
    {},
    { overcommit: 0.29 },
  );
  run(sched, { app: "a", image: "img:v1" });
  const copy = state.clone();
  assert.equal(copy.overcommitRatio, state.overcommitRatio);
  copy.addContainer("node-1", { id: "extra", app: "a" });
  assert.equal(state.counts("a", undefined)!.total, 1);
  assert.equal(copy.counts("a", undefined)!.total, 2);
  assert.ok(copy.images[0]!.has("img:v1"));
});

test("container lookup follows Swarm's order: id, name with or without /, unique id prefix", () => {
  const state = new ClusterState(nodes(1));
  state.addContainer("node-0", { id: "abcdef123456789", name: "/web" });
  state.addContainer("node-0", { id: "abcxyz", name: "db" });
  assert.equal(state.findContainer("/web")?.id, "abcdef123456789");
  assert.equal(state.findContainer("db")?.id, "abcxyz");
  assert.equal(state.findContainer("abcdef")?.id, "abcdef123456789");
  assert.equal(state.findContainer("abc"), undefined);
});

test("engine labels: standard labels, then k=v labels; node and standard keys are ignored", () => {
  const r = engineLabels({
    storageDriver: "overlay2",
    kernelVersion: "5.10",
    operatingSystem: "",
    osType: "linux",
    labels: ["zone=a", "node=x", "storagedriver=zfs"],
  });
  assert.ok(r.ok);
  assert.deepEqual(r.value.labels, {
    storagedriver: "overlay2",
    kernelversion: "5.10",
    ostype: "linux",
    zone: "a",
  });
  assert.equal(r.value.warnings.length, 2);
  assert.equal(engineLabels({ labels: ["broken"] }).ok, false);
});

test("health indicator: 100 − failures × 100 / retry while healthy, else 0", () => {
  assert.equal(healthIndicator(true, 0), 100);
  assert.equal(healthIndicator(true, 1), 67);
  assert.equal(healthIndicator(true, 1, 20), 95);
  assert.equal(healthIndicator(true, 3), 0);
  assert.equal(healthIndicator(false, 0), 0);
});
