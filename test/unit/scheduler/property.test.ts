// Property tests over random clusters: whatever the cluster and the requests, a placement
// never breaks pool segregation, enabled/health, hard constraints or resources; a
// failure only happens when no node could have taken the unit; counts stay equal to a
// recount.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ClusterState, Scheduler, type NodeSpec, type UnitRequest } from "../../../src/scheduler/index.js";

const POOLS = ["p1", "p2", "p3"];
const ZONES = ["a", "b", "c"];
const DISKS = ["ssd", "hdd"];

const nodeArb = fc.record({
  pool: fc.constantFrom(...POOLS),
  zone: fc.constantFrom(...ZONES),
  disk: fc.option(fc.constantFrom(...DISKS), { nil: undefined }),
  cpus: fc.integer({ min: 1, max: 8 }),
  memory: fc.integer({ min: 1, max: 16 }),
  health: fc.constantFrom(0, 50, 100, 100),
  enabled: fc.constantFrom(true, true, true, false),
});

const exprArb = fc.record({
  key: fc.constantFrom("zone", "disk", "node", "pool"),
  op: fc.constantFrom("==", "!="),
  soft: fc.boolean(),
  value: fc.oneof(
    fc.constantFrom(...ZONES, ...DISKS, ...POOLS),
    fc.constantFrom("node-1", "node-*", "s*", "*d", "p*"),
  ),
});

const reqArb = fc.record({
  app: fc.constantFrom("x", "y", "z"),
  process: fc.constantFrom("web", "worker"),
  pool: fc.constantFrom(...POOLS),
  cpus: fc.integer({ min: 0, max: 2 }),
  memory: fc.integer({ min: 0, max: 3 }),
  exprs: fc.array(exprArb, { maxLength: 3 }),
});

type Ex = { key: string; op: string; soft: boolean; value: string };

/** Independent oracle for the generated glob subset. */
function holds(e: Ex, node: NodeSpec): boolean {
  const re = new RegExp("^" + e.value.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
  const cands =
    e.key === "node" ? [node.id, node.name ?? node.id] : [{ ...node.metadata, ...node.labels }[e.key] ?? ""];
  const any = cands.some((c) => re.test(c));
  return e.op === "==" ? any : !any;
}

test("property: placements respect pool, enabled, health, hard constraints and capacity; failures are justified", () => {
  fc.assert(
    fc.property(
      fc.array(nodeArb, { minLength: 1, maxLength: 12 }),
      fc.array(reqArb, { minLength: 1, maxLength: 60 }),
      fc.constantFrom("spread", "binpack", "random" as const),
      (nodeRecs, reqs, strategy) => {
        const specs: NodeSpec[] = nodeRecs.map((n, i) => ({
          id: `node-${i}`,
          cpus: n.cpus,
          memory: n.memory,
          health: n.health,
          enabled: n.enabled,
          metadata: { pool: n.pool, zone: n.zone },
          labels: n.disk ? { disk: n.disk } : ({} as Record<string, string>),
        }));
        const state = new ClusterState(specs, { overcommit: 0 });
        const sched = new Scheduler(state, { strategy });
        for (const q of reqs) {
          const req: UnitRequest = {
            app: q.app,
            process: q.process,
            pool: q.pool,
            cpus: q.cpus,
            memory: q.memory,
            constraints: q.exprs.map((e) => `${e.key}${e.op}${e.soft ? "~" : ""}${e.value}`),
          };
          const hard = q.exprs.filter((e) => !e.soft);
          const r = sched.place(req);
          const fits = (n: NodeSpec, i: number): boolean =>
            strategy === "random" ||
            (state.usedCpus[i]! + q.cpus <= n.cpus && state.usedMemory[i]! + q.memory <= n.memory);
          const eligible = specs.filter(
            (n, i) =>
              n.metadata!["pool"] === q.pool &&
              n.enabled !== false &&
              n.health! > 0 &&
              hard.every((e) => holds(e, n)) &&
              fits(n, i),
          );
          if (!r.ok) {
            assert.equal(
              eligible.length,
              0,
              `failed (${r.error.message}) although ${eligible.map((n) => n.id)} fit`,
            );
            continue;
          }
          const node = specs[state.slot(r.value.nodeId)!]!;
          assert.ok(
            eligible.includes(node),
            `${node.id} violates pool/health/constraints/capacity for ${JSON.stringify(req)}`,
          );
          state.commit(r.value);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("property: incremental counts always equal a full recount", () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("add" as const), app: fc.constantFrom("x", "y"), node: fc.nat(5) }),
    fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("move" as const), pick: fc.nat(), node: fc.nat(5) }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...ZONES), { minLength: 6, maxLength: 6 }),
      fc.array(op, { maxLength: 80 }),
      (zones, ops) => {
        const state = new ClusterState(
          zones.map((z, i) => ({ id: `n${i}`, cpus: 1, memory: 1, metadata: { pool: "p", zone: z } })),
        );
        const live: string[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.kind === "add") {
            const id = `u${seq++}`;
            state.addContainer(`n${o.node}`, { id, app: o.app, process: "web", memory: 1 });
            live.push(id);
          } else if (live.length > 0) {
            const id = live[o.pick % live.length]!;
            if (o.kind === "remove") {
              state.removeContainer(id);
              live.splice(live.indexOf(id), 1);
            } else state.moveContainer(id, `n${o.node}`);
          }
        }
        state.ensureGroups();
        for (const app of ["x", "y"]) {
          const c = state.counts(app, "web");
          const units = state.unitsOf(app, "web");
          assert.equal(c?.total ?? 0, units.length);
          for (let i = 0; i < 6; i++) {
            const here = units.filter((u) => u.node === i).length;
            assert.equal(c?.byNode[i] ?? 0, here);
            const group = units.filter((u) => state.groupId[u.node] === state.groupId[i]).length;
            assert.equal(c?.byGroup[state.groupId[i]!] ?? 0, group);
          }
        }
        for (let i = 0; i < 6; i++) assert.equal(state.usedMemory[i], state.containerCount[i]);
      },
    ),
    { numRuns: 300 },
  );
});
