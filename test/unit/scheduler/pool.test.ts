// Pool segregation and choosing an app's pool (tsuru-docker-era.md §1.4, §2.1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseAppPool, nodeServesPool, type PoolConstraint } from "../../../src/scheduler/index.js";
import { cluster, fails, nodes, runMany } from "./helpers.js";

test("units only land on nodes whose metadata names the app's pool", () => {
  const { sched } = cluster(nodes(4, (i) => ({ metadata: { pool: i % 2 === 0 ? "gold" : "silver" } })));
  const got = runMany(sched, 20, { app: "a", pool: "silver" });
  assert.deepEqual(Object.keys(got).sort(), ["node-1", "node-3"]);
});

test("a pool without enabled nodes gives tsuru's error", () => {
  const { state, sched } = cluster(nodes(2, () => ({ metadata: { pool: "gold" } })));
  assert.deepEqual(fails(sched, { app: "a", pool: "silver" }), {
    kind: "no-pool-nodes",
    message: "No nodes found with one of the following metadata: pool=silver",
  });
  state.setEnabled("node-0", false);
  state.setEnabled("node-1", false);
  assert.equal(fails(sched, { app: "a", pool: "gold" }).kind, "no-pool-nodes");
});

test("disabled nodes take no new units but re-enabling brings them back", () => {
  const { state, sched } = cluster(nodes(2, () => ({ metadata: { pool: "p" } })));
  state.setEnabled("node-0", false);
  assert.deepEqual(runMany(sched, 3, { app: "a", pool: "p" }), { "node-1": 3 });
  state.setEnabled("node-0", true);
  assert.deepEqual(runMany(sched, 3, { app: "a", pool: "p" }), { "node-0": 3 });
});

test("moving a node to another pool moves it out of the old pool's candidates", () => {
  const { state, sched } = cluster(nodes(2, () => ({ metadata: { pool: "p" } })));
  state.updateNode({ id: "node-0", cpus: 4, memory: 8 * 1024 ** 3, metadata: { pool: "q" } });
  assert.deepEqual(runMany(sched, 2, { app: "a", pool: "p" }), { "node-1": 2 });
  assert.deepEqual(runMany(sched, 2, { app: "a", pool: "q" }), { "node-0": 2 });
});

test("nodeServesPool is the segregation predicate", () => {
  assert.equal(nodeServesPool({ metadata: { pool: "p" } }, "p"), true);
  assert.equal(nodeServesPool({ metadata: { pool: "p" } }, "q"), false);
  assert.equal(nodeServesPool({}, "p"), false);
});

const pools = [
  { name: "pub", default: true, provisioner: "docker" },
  { name: "team1", default: false, provisioner: "docker" },
  { name: "team1b", default: false, provisioner: "docker" },
  { name: "closed", default: false, provisioner: "docker" },
];
const constraints: PoolConstraint[] = [
  { poolExpr: "pub", field: "team", values: ["*"], blacklist: false },
  { poolExpr: "team1", field: "team", values: ["t1"], blacklist: false },
  { poolExpr: "team1b", field: "team", values: ["t1", "t2"], blacklist: false },
  { poolExpr: "closed", field: "team", values: ["t9"], blacklist: false },
  { poolExpr: "team*", field: "plan", values: ["small"], blacklist: false },
];

test("chooseAppPool: the single pool whose own constraint lists exactly the team", () => {
  assert.deepEqual(chooseAppPool({ teamOwner: "t1", pools, constraints }), { ok: true, value: "team1" });
});

test("chooseAppPool: no exact pool falls back to the default pool", () => {
  assert.deepEqual(chooseAppPool({ teamOwner: "t2", pools, constraints }), { ok: true, value: "pub" });
});

test("chooseAppPool: several exact pools ask the user to choose", () => {
  const more = [
    ...constraints,
    { poolExpr: "closed", field: "team" as const, values: ["t1"], blacklist: false },
  ];
  const r = chooseAppPool({ teamOwner: "t1", pools, constraints: more.filter((c) => c.values[0] !== "t9") });
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.error.message, /you have access to "team1","closed" pools\. Please choose one/);
});

test("chooseAppPool: a requested pool must exist and admit the team and the plan", () => {
  assert.deepEqual(chooseAppPool({ requested: "team1b", teamOwner: "t2", pools, constraints }), {
    ok: true,
    value: "team1b",
  });
  const missing = chooseAppPool({ requested: "nope", teamOwner: "t1", pools, constraints });
  assert.equal(missing.ok ? 0 : missing.error.status, 404);
  const closed = chooseAppPool({ requested: "closed", teamOwner: "t1", pools, constraints });
  assert.equal(closed.ok ? 0 : closed.error.status, 400);
  const plan = chooseAppPool({ requested: "team1", teamOwner: "t1", plan: "huge", pools, constraints });
  assert.deepEqual(plan.ok ? null : plan.error, {
    status: 400,
    message: 'App plan "huge" is not allowed on pool "team1"',
  });
});

test("chooseAppPool: no exact pool and no default pool is an error", () => {
  const r = chooseAppPool({ teamOwner: "t5", pools: pools.filter((p) => !p.default), constraints });
  assert.equal(r.ok ? 0 : r.error.status, 400);
});
