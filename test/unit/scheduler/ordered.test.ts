// The sorted-view path (large groups) must choose exactly what the linear pass chooses,
// through placements, removals, moves, health changes and dynamic filters.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ClusterState, Scheduler, type NodeSpec, type UnitRequest } from "../../../src/scheduler/index.js";

const GiB = 1024 ** 3;

const step = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("place" as const),
      app: fc.nat(6),
      plan: fc.nat(3),
      ports: fc.boolean(),
      c: fc.nat(3),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("move" as const), pick: fc.nat(), to: fc.nat(59) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("health" as const),
      node: fc.nat(59),
      h: fc.constantFrom(0, 60, 100),
    }),
  },
);

const PLANS = [
  { cpus: 0, memory: 0 },
  { cpus: 0, memory: GiB / 2 },
  { cpus: 1, memory: 0 },
  { cpus: 1, memory: GiB },
];
const CONSTRAINTS = [[], ["disk==ssd"], ["disk!=ssd"], ["zone==~a"]];

for (const strategy of ["spread", "binpack"] as const) {
  test(`ordered views and the linear pass choose the same nodes (${strategy})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.nat(3), zone: fc.constantFrom("a", "b"), ssd: fc.boolean() }), {
          minLength: 60,
          maxLength: 60,
        }),
        fc.array(step, { minLength: 20, maxLength: 150 }),
        (recs, steps) => {
          const specs: NodeSpec[] = recs.map((r, i) => ({
            id: `n${i}`,
            cpus: 2 ** (r.size + 1),
            memory: 2 ** (r.size + 2) * GiB,
            metadata: { pool: "p", zone: r.zone },
            labels: { disk: r.ssd ? "ssd" : "hdd", containerslots: i % 7 === 0 ? "3" : "" },
          }));
          const a = new ClusterState(specs);
          const b = new ClusterState(specs);
          const linear = new Scheduler(a, { strategy, orderedMinGroup: Infinity });
          const ordered = new Scheduler(b, { strategy, orderedMinGroup: 1 });
          const units: string[] = [];
          for (const s of steps) {
            if (s.kind === "place") {
              const req: UnitRequest = {
                app: `app${s.app}`,
                process: "web",
                pool: "p",
                ...PLANS[s.plan]!,
                constraints: CONSTRAINTS[s.c]!,
                portBindings: s.ports ? [{ hostPort: "8080" }] : [],
              };
              const ra = linear.place(req);
              const rb = ordered.place(req);
              assert.deepEqual(rb.ok ? rb.value.nodeId : rb.error, ra.ok ? ra.value.nodeId : ra.error);
              if (ra.ok && rb.ok) {
                const id = a.commit(ra.value);
                b.commit({ ...rb.value, request: { ...rb.value.request, id } });
                units.push(id);
              }
            } else if (units.length > 0 && s.kind !== "health") {
              const id = units[s.pick % units.length]!;
              if (s.kind === "remove") {
                a.removeContainer(id);
                b.removeContainer(id);
                units.splice(units.indexOf(id), 1);
              } else {
                a.moveContainer(id, `n${s.to}`);
                b.moveContainer(id, `n${s.to}`);
              }
            } else if (s.kind === "health") {
              a.setHealth(`n${s.node}`, s.h);
              b.setHealth(`n${s.node}`, s.h);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
}
