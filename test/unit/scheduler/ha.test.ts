// tsuru's segregated scheduler (tsuru-docker-era.md §2.2): metadata groups, then node,
// then total load; removal takes the crowded end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseUnitToRemove, chooseUnitsToRemove, splitMetadata } from "../../../src/scheduler/index.js";
import { cluster, nodes, run, runMany } from "./helpers.js";

const zoned = (zones: number, perZone: number) =>
  nodes(zones * perZone, (i) => ({
    id: `z${Math.floor(i / perZone)}-n${i % perZone}`,
    metadata: { pool: "p", zone: String.fromCharCode(97 + Math.floor(i / perZone)) },
  }));

test("an app with 6 units over 3 zones × 2 nodes gets one unit per node", () => {
  const { sched } = cluster(zoned(3, 2));
  const got = runMany(sched, 6, { app: "a", process: "web", pool: "p" });
  assert.equal(Object.keys(got).length, 6);
  for (const n of Object.values(got)) assert.equal(n, 1);
});

test("new units alternate between zones first, then hosts within a zone", () => {
  const { sched } = cluster(zoned(3, 2));
  const zones = Array.from({ length: 3 }, () => run(sched, { app: "a", pool: "p" }).slice(0, 2));
  assert.deepEqual(new Set(zones), new Set(["z0", "z1", "z2"]));
});

test("HA beats spread: a loaded node with no units of the app wins over an idle one that has one", () => {
  const { sched } = cluster(
    nodes(2, (i) => ({
      metadata: { pool: "p" },
      containers:
        i === 0
          ? [{ id: "mine", app: "a", process: "web" }]
          : Array.from({ length: 5 }, (_, k) => ({ id: `o${k}` })),
    })),
  );
  assert.equal(run(sched, { app: "a", process: "web", pool: "p" }), "node-1");
});

test("counts are per app and process: another process of the same app does not count", () => {
  const { sched } = cluster(nodes(2, () => ({ metadata: { pool: "p" } })));
  assert.equal(run(sched, { app: "a", process: "web", pool: "p" }), "node-0");
  // worker has no units: (a, b) tie, so total load (node-0 holds 1) decides.
  assert.equal(run(sched, { app: "a", process: "worker", pool: "p" }), "node-1");
  assert.equal(run(sched, { app: "a", process: "worker", pool: "p" }), "node-0");
});

test("ties on (group, node, total) go to the first node in node-list order", () => {
  const { sched } = cluster(nodes(3, () => ({ metadata: { pool: "p" } })));
  assert.equal(run(sched, { app: "a", pool: "p" }), "node-0");
});

test("the HA rule can be turned off, leaving Swarm's spread alone", () => {
  const { sched } = cluster(
    nodes(2, (i) => ({ metadata: { pool: "p" }, containers: i === 1 ? [{ id: "x" }, { id: "y" }] : [] })),
    { ha: false },
  );
  runMany(sched, 2, { app: "a", pool: "p" });
  assert.equal(sched.state.counts("a", undefined)?.byNode[0], 2);
});

test("splitMetadata: common keys ignored, groups by exclusive metadata, smallest first", () => {
  const s = splitMetadata([
    { pool: "p", zone: "a" },
    { pool: "p", zone: "a" },
    { pool: "p", zone: "b" },
  ]);
  assert.deepEqual(s, { groupOf: [1, 1, 0], count: 2, unbalanced: false });
});

test("splitMetadata: iaas-id and runtime keys do not split groups", () => {
  const s = splitMetadata([
    { pool: "p", "iaas-id": "i-1", LastSuccess: "x" },
    { pool: "p", "iaas-id": "i-2", Failures: "2" },
  ]);
  assert.deepEqual(s, { groupOf: [0, 0], count: 1, unbalanced: false });
});

test("splitMetadata: nodes differing on different key sets are unbalanced → one group", () => {
  const s = splitMetadata([
    { zone: "a", rack: "1" },
    { zone: "a", rack: "2" },
    { zone: "b", rack: "1" },
  ]);
  assert.equal(s.unbalanced, true);
  assert.deepEqual(s.groupOf, [0, 0, 0]);
});

test("splitMetadata: a node with no exclusive metadata counts as group 0", () => {
  // The third node has no metadata, hence no exclusive map: it is in no group and its
  // units add to group 0, which is zone=a (groups of equal size sort by metadata).
  const s = splitMetadata([{ zone: "a" }, { zone: "b" }, {}]);
  assert.deepEqual(s.groupOf, [0, 1, 0]);
});

test("removal takes the crowded end: the node with most units of the app", () => {
  const { state } = cluster(
    nodes(3, (i) => ({
      metadata: { pool: "p" },
      containers: Array.from({ length: [1, 3, 2][i]! }, (_, k) => ({
        id: `u${i}${k}`,
        app: "a",
        process: "web",
      })),
    })),
  );
  const r = chooseUnitToRemove(state, { app: "a", process: "web", pool: "p" });
  assert.ok(r.ok);
  assert.equal(state.ids[r.value.node], "node-1");
});

test("removal looks at groups first and breaks ties towards the last node", () => {
  const { state } = cluster(
    zoned(2, 2).map((n, i) => ({
      ...n,
      containers: [0, 1, 2].includes(i) ? [{ id: `u${i}`, app: "a", process: "web" }] : [],
    })),
  );
  // zone a holds 2 units (z0-n0, z0-n1), zone b 1: the crowded zone's last node is picked.
  const r = chooseUnitToRemove(state, { app: "a", process: "web", pool: "p" });
  assert.ok(r.ok);
  assert.equal(r.value.id, "u1");
});

test("unit-remove N picks successively crowded ends and leaves the state untouched", () => {
  const { state, sched } = cluster(nodes(2, () => ({ metadata: { pool: "p" } })));
  runMany(sched, 5, { app: "a", process: "web", pool: "p" });
  const r = chooseUnitsToRemove(state, { app: "a", process: "web", pool: "p" }, 3);
  assert.ok(r.ok);
  const from = r.value.map((u) => state.ids[u.node]);
  assert.deepEqual(from.sort(), ["node-0", "node-0", "node-1"]);
  assert.equal(state.counts("a", "web")?.total, 5);
  const tooMany = chooseUnitsToRemove(state, { app: "a", process: "web", pool: "p" }, 6);
  assert.equal(tooMany.ok, false);
  assert.equal(state.counts("a", "web")?.total, 5);
});

test("removal with no units is an error value", () => {
  const { state } = cluster(nodes(1));
  const r = chooseUnitToRemove(state, { app: "ghost", process: "web" });
  assert.deepEqual(r.ok ? null : r.error.kind, "no-units");
});
