// Swarm strategy vectors (swarm-classic.md §4 and §8 statements 1–12, 40).
import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_RESOURCES, seededRng } from "../../../src/scheduler/index.js";
import { GiB, cluster, fails, nodes, run, runMany } from "./helpers.js";

test("spread: 60 unreserved containers on two equal nodes split 30/30", () => {
  const { sched } = cluster(nodes(2));
  assert.deepEqual(runMany(sched, 60), { "node-0": 30, "node-1": 30 });
});

test("spread with the HA rule: 60 unreserved units of one app on two equal nodes split 30/30", () => {
  const { sched } = cluster(nodes(2, () => ({ metadata: { pool: "p" } })));
  assert.deepEqual(runMany(sched, 60, { app: "a", process: "web", pool: "p" }), {
    "node-0": 30,
    "node-1": 30,
  });
});

test("spread: 100 containers over 10 nodes gives 10 each", () => {
  const { sched } = cluster(nodes(10));
  const got = runMany(sched, 100);
  for (let i = 0; i < 10; i++) assert.equal(got[`node-${i}`], 10);
});

test("spread: 21- and 42-CPU nodes take 20 and 40 one-CPU containers", () => {
  const { sched } = cluster([
    { id: "small", cpus: 21, memory: 64 * GiB },
    { id: "big", cpus: 42, memory: 64 * GiB },
  ]);
  assert.deepEqual(runMany(sched, 60, { cpus: 1 }), { small: 20, big: 40 });
});

test("spread puts two 1 GB containers on different 2 GB nodes; binpack on the same", () => {
  const specs = nodes(2, () => ({ memory: 2 * GiB }));
  const s = cluster(specs).sched;
  assert.notEqual(run(s, { memory: GiB }), run(s, { memory: GiB }));
  const b = cluster(specs, { strategy: "binpack" }).sched;
  assert.equal(run(b, { memory: GiB }), run(b, { memory: GiB }));
});

test("spread puts two 1-CPU containers on different 2-CPU nodes; binpack on the same", () => {
  const specs = nodes(2, () => ({ cpus: 2 }));
  const s = cluster(specs).sched;
  assert.notEqual(run(s, { cpus: 1 }), run(s, { cpus: 1 }));
  const b = cluster(specs, { strategy: "binpacking" }).sched;
  assert.equal(run(b, { cpus: 1 }), run(b, { cpus: 1 }));
});

test("equal used memory: binpack prefers more containers, spread fewer", () => {
  const specs = nodes(2, (i) => ({
    memory: 4 * GiB,
    containers:
      i === 0
        ? [{ id: "a1", memory: 2 * GiB }]
        : [
            { id: "b1", memory: GiB },
            { id: "b2", memory: GiB },
          ],
  }));
  assert.equal(run(cluster(specs, { strategy: "binpack" }).sched, { memory: GiB }), "node-1");
  assert.equal(run(cluster(specs, { strategy: "spread" }).sched, { memory: GiB }), "node-0");
});

test("spread fills 100 one-CPU nodes with 100 containers and refuses the 101st", () => {
  const { sched } = cluster(nodes(100, () => ({ cpus: 1 })));
  const got = runMany(sched, 100, { cpus: 1 });
  assert.equal(Object.keys(got).length, 100);
  assert.deepEqual(fails(sched, { cpus: 1 }), { kind: "no-resources", message: NO_RESOURCES });
});

test("5% overcommit: a 100 GB node accepts 90, 100 and 105 GB and rejects 106 GB", () => {
  for (const gb of [90, 100, 105]) {
    const { sched } = cluster([{ id: "n", cpus: 4, memory: 100 * GiB }]);
    assert.equal(run(sched, { memory: gb * GiB }), "n", `${gb} GB`);
  }
  const { sched } = cluster([{ id: "n", cpus: 4, memory: 100 * GiB }]);
  assert.equal(fails(sched, { memory: 106 * GiB }).message, NO_RESOURCES);
});

test("overcommit is integer arithmetic: a 4-CPU node gets no extra CPU at 5%", () => {
  const { sched } = cluster([{ id: "n", cpus: 4, memory: GiB }]);
  runMany(sched, 4, { cpus: 1 });
  assert.equal(fails(sched, { cpus: 1 }).message, NO_RESOURCES);
});

test("negative overcommit undercommits and overcommit <= -1 is refused", () => {
  const { sched } = cluster([{ id: "n", cpus: 4, memory: 100 * GiB }], {}, { overcommit: -0.1 });
  assert.equal(fails(sched, { memory: 91 * GiB }).message, NO_RESOURCES);
  assert.equal(run(sched, { memory: 90 * GiB }), "n");
  assert.throws(() => cluster(nodes(1), {}, { overcommit: -1 }));
});

test("a reservation larger than any node fails with no resources (memory and CPU)", () => {
  const { sched } = cluster(nodes(2, () => ({ memory: 2 * GiB })));
  assert.equal(fails(sched, { memory: 1000 * GiB }).message, NO_RESOURCES);
  assert.equal(fails(sched, { cpus: 10240 }).message, NO_RESOURCES);
});

test("reservations are tracked: committed and removed containers change used memory", () => {
  const { state, sched } = cluster(nodes(2));
  const id = sched.placeAndCommit({ memory: 20 * 1024 * 1024, constraints: ["node==node-0"] });
  assert.ok(id.ok);
  sched.placeAndCommit({ memory: 22 * 1024 * 1024, constraints: ["node==node-0"] });
  assert.equal(state.usedMemory[state.slot("node-0")!], 42 * 1024 * 1024);
  assert.equal(state.usedMemory[state.slot("node-1")!], 0);
  state.removeContainer(id.value.unitId);
  assert.equal(state.usedMemory[state.slot("node-0")!], 22 * 1024 * 1024);
});

test("spread: second one-CPU container goes to the other node; binpack stacks to 2 reserved CPUs", () => {
  const s = cluster(nodes(2));
  run(s.sched, { cpus: 1 });
  run(s.sched, { cpus: 1 });
  assert.deepEqual([s.state.usedCpus[0], s.state.usedCpus[1]], [1, 1]);
  const b = cluster(nodes(2), { strategy: "binpack" });
  run(b.sched, { cpus: 1 });
  run(b.sched, { cpus: 1 });
  assert.deepEqual([b.state.usedCpus[0], b.state.usedCpus[1]], [2, 0]);
});

test("the health term steers both strategies away from a degraded node", () => {
  for (const strategy of ["spread", "binpack"] as const) {
    const { sched } = cluster(
      nodes(2, (i) => ({
        health: i === 0 ? 95 : 100,
        containers: i === 1 ? [{ id: "x", memory: 50 * 2 ** 20 }] : [],
      })),
      { strategy },
    );
    assert.equal(run(sched, { memory: 10 * 2 ** 20 }), "node-1", strategy);
  }
});

test("spread breaks full ties by node-list order (deterministic)", () => {
  const { sched } = cluster(nodes(3));
  assert.equal(run(sched), "node-0");
  assert.equal(run(sched), "node-1");
});

test("random: reproducible with a seeded RNG, ignores resources, and reaches every node", () => {
  const pick = (seed: number): string[] => {
    const { sched } = cluster(nodes(4), { strategy: "random", rng: seededRng(seed) });
    return Array.from({ length: 40 }, () => run(sched));
  };
  assert.deepEqual(pick(7), pick(7));
  assert.equal(new Set(pick(7)).size, 4);
  const { sched } = cluster(
    nodes(1, () => ({ memory: GiB })),
    { strategy: "random" },
  );
  assert.equal(run(sched, { memory: 2 * GiB }), "node-0");
});

test("unknown strategy names are refused", () => {
  // @ts-expect-error: deliberately wrong name
  assert.throws(() => cluster(nodes(1), { strategy: "fastest" }), /unknown scheduler strategy/);
});

test("binpack over different node sizes fills the fullest-by-percentage node first", () => {
  const { sched } = cluster(
    [
      { id: "small", cpus: 4, memory: 2 * GiB },
      { id: "big", cpus: 4, memory: 4 * GiB },
    ],
    { strategy: "binpack" },
  );
  // 1 GB on small scores 50%, on big 25%: binpack takes small until it is full.
  const order = Array.from({ length: 6 }, () => run(sched, { memory: GiB }));
  assert.deepEqual(order, ["small", "small", "big", "big", "big", "big"]);
  assert.equal(fails(sched, { memory: GiB }).message, NO_RESOURCES);
});

test("spread over different node sizes keeps used percentages level", () => {
  const { sched } = cluster([
    { id: "small", cpus: 4, memory: 2 * GiB },
    { id: "big", cpus: 4, memory: 4 * GiB },
  ]);
  assert.deepEqual(runMany(sched, 6, { memory: GiB }), { small: 2, big: 4 });
});

test("place() is pure: nothing changes until commit", () => {
  const { state, sched } = cluster(nodes(2, () => ({ metadata: { pool: "p" } })));
  const before = [state.containerCount[0], state.containerCount[1], state.changes];
  for (let k = 0; k < 5; k++) assert.ok(sched.place({ app: "a", pool: "p", memory: GiB }).ok);
  assert.deepEqual([state.containerCount[0], state.containerCount[1], state.changes], before);
});
