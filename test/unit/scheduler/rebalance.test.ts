// Rebalance planner: moves that even an app's units across its pool.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  planDrain,
  planRebalance,
  poolGap,
  worthRebalancing,
  type NodeSpec,
} from "../../../src/scheduler/index.js";
import { cluster, nodes } from "./helpers.js";

const withUnits = (perNode: number[], meta: (i: number) => Record<string, string> = () => ({})): NodeSpec[] =>
  nodes(perNode.length, (i) => ({
    metadata: { pool: "p", ...meta(i) },
    containers: Array.from({ length: perNode[i]! }, (_, k) => ({
      id: `u${i}-${k}`,
      app: "a",
      process: "web",
    })),
  }));

function after(perNode: number[], moves: { from: string; to: string }[]): number[] {
  const out = [...perNode];
  for (const m of moves) {
    out[Number(m.from.slice(5))]!--;
    out[Number(m.to.slice(5))]!++;
  }
  return out;
}

test("six units on one of three nodes become 2/2/2", () => {
  const { state } = cluster(withUnits([6, 0, 0]));
  const moves = planRebalance(state, { app: "a", pool: "p" });
  assert.equal(moves.length, 4);
  assert.deepEqual(after([6, 0, 0], moves), [2, 2, 2]);
  for (const m of moves) assert.equal(m.from, "node-0");
});

test("an already even app needs no moves; an off-by-one spread needs none either", () => {
  assert.deepEqual(planRebalance(cluster(withUnits([2, 2, 2])).state, { app: "a", pool: "p" }), []);
  assert.deepEqual(planRebalance(cluster(withUnits([3, 2, 2])).state, { app: "a", pool: "p" }), []);
});

test("planning does not change the state", () => {
  const { state } = cluster(withUnits([5, 1]));
  planRebalance(state, { app: "a", pool: "p" });
  assert.deepEqual([state.counts("a", "web")!.byNode[0], state.counts("a", "web")!.byNode[1]], [5, 1]);
});

test("rebalance evens metadata groups before nodes", () => {
  // zone a: node-0, node-1; zone b: node-2, node-3. Units 2/2/0/0 → one per node.
  const { state } = cluster(withUnits([2, 2, 0, 0], (i) => ({ zone: i < 2 ? "a" : "b" })));
  const moves = planRebalance(state, { app: "a", pool: "p" });
  assert.deepEqual(after([2, 2, 0, 0], moves), [1, 1, 1, 1]);
});

test("moves respect hard constraints given by requestFor", () => {
  const specs = withUnits([4, 0, 0]).map((n, i) => ({ ...n, labels: { disk: i === 2 ? "hdd" : "ssd" } }));
  const { state } = cluster(specs);
  const moves = planRebalance(state, {
    app: "a",
    pool: "p",
    requestFor: (u) => ({ app: u.app, process: u.process, pool: "p", constraints: ["disk==ssd"] }),
  });
  assert.deepEqual(after([4, 0, 0], moves), [2, 2, 0]);
});

test("each process is evened on its own", () => {
  const specs = nodes(2, (i) => ({
    metadata: { pool: "p" },
    containers:
      i === 0
        ? [
            ...Array.from({ length: 4 }, (_, k) => ({ id: `w${k}`, app: "a", process: "web" })),
            ...Array.from({ length: 2 }, (_, k) => ({ id: `k${k}`, app: "a", process: "worker" })),
          ]
        : [],
  }));
  const moves = planRebalance(cluster(specs).state, { app: "a", pool: "p" });
  assert.deepEqual(
    moves.map((m) => m.process),
    ["web", "web", "worker"],
  );
});

test("pool gap and tsuru's 'more than 2' threshold", () => {
  const { state } = cluster(withUnits([6, 1, 0]));
  assert.equal(poolGap(state, "p"), 6);
  assert.equal(poolGap(state, "empty"), 0);
  assert.equal(worthRebalancing(6, 1), true);
  assert.equal(worthRebalancing(3, 1), false);
});

test("draining a node re-places each of its units elsewhere through the scheduler", () => {
  const { state } = cluster(withUnits([3, 0, 1]));
  const r = planDrain(state, "node-0", (u) => ({ app: u.app, process: u.process, pool: "p" }));
  assert.deepEqual(r.stuck, []);
  assert.equal(r.moves.length, 3);
  assert.deepEqual(after([3, 0, 1], r.moves), [0, 2, 2]);
  assert.equal(state.counts("a", "web")!.byNode[0], 3);
});

test("a unit that fits nowhere else is reported as stuck, with the scheduler's error", () => {
  const { state } = cluster(withUnits([1, 0]));
  const r = planDrain(state, "node-0", (u) => ({ app: u.app, pool: "p", constraints: ["node==node-0"] }));
  assert.deepEqual(r.moves, []);
  assert.equal(r.stuck.length, 1);
  assert.equal(r.stuck[0]!.error.kind, "filters");
});
