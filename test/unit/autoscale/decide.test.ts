// The autoscaler's pure decision: CPU and requests-per-unit recommendations, bounds, the
// tolerance band, the stabilisation window against flapping, the scale-up rate, capacity
// limits reported, holds for stopped or deploying processes, and missing data.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decideUnits,
  type DecideInput,
  type MetricStep,
  type Recommendation,
} from "../../../src/autoscale/decide.js";
import { processSteps } from "../../../src/autoscale/inputs.js";

const NOW = 1_700_000_000;
const cpuSteps = (...v: number[]): MetricStep[] => v.map((c, i) => ({ ts: NOW - 10 * i, cpuPercent: c }));
const reqSteps = (...v: number[]): MetricStep[] => v.map((r, i) => ({ ts: NOW - 10 * i, requests: r }));

function input(over: Partial<DecideInput> = {}): DecideInput {
  return {
    setting: { minUnits: 1, maxUnits: 10, cpuPercent: 50, requestsPerUnit: null },
    current: 2,
    steps: [],
    history: [],
    nowS: NOW,
    quotaFree: null,
    poolFree: null,
    ...over,
  };
}

test("cpu above the target scales up in proportion, as HPA does: ceil(units × value / target)", () => {
  const d = decideUnits(input({ steps: cpuSteps(90, 90, 90) }));
  assert.equal(d.units, 4);
  assert.deepEqual(d.metric, { name: "cpu_percent", value: 90, target: 50 });
  assert.match(d.reason, /cpu 90% per unit against a 50% target: 2 → 4 units/);
  assert.equal(d.limitedBy, null);
});

test("the mean of the newest three steps with data is used, older or stale steps are not", () => {
  const steps = [...cpuSteps(100, 80, 60), { ts: NOW - 30, cpuPercent: 0 }, { ts: NOW - 500, cpuPercent: 0 }];
  assert.equal(decideUnits(input({ steps })).metric!.value, 80);
  const stale = decideUnits(input({ steps: [{ ts: NOW - 120, cpuPercent: 100 }] }));
  assert.equal(stale.metric, null);
  assert.equal(stale.units, 2);
  assert.match(stale.reason, /no metrics yet/);
});

test("within 10% of the target nothing changes", () => {
  assert.equal(decideUnits(input({ steps: cpuSteps(54) })).units, 2);
  assert.equal(decideUnits(input({ steps: cpuSteps(46) })).units, 2);
  assert.equal(decideUnits(input({ steps: cpuSteps(56) })).units, 3);
});

test("requests per unit: ceil(requests/s ÷ target), and the larger of two targets wins", () => {
  const setting = { minUnits: 1, maxUnits: 10, cpuPercent: 50, requestsPerUnit: 100 };
  const steps = [0, 1, 2].map((i) => ({ ts: NOW - 10 * i, cpuPercent: 30, requests: 650 }));
  const d = decideUnits(input({ setting, steps }));
  assert.equal(d.units, 6);
  assert.equal(d.metric!.name, "requests_per_unit");
  assert.equal(d.metric!.value, 325);
  const cpuWins = decideUnits(
    input({ setting, steps: [0, 1, 2].map((i) => ({ ts: NOW - 10 * i, cpuPercent: 200, requests: 10 })) }),
  );
  assert.equal(cpuWins.metric!.name, "cpu_percent");
  assert.equal(cpuWins.units, 6); // 2 × 200/50 = 8, bounded by the up rate: 2 + max(2, 4) = 6
});

test("recommendations stay within min and max; units outside the bounds are brought back", () => {
  assert.equal(decideUnits(input({ steps: cpuSteps(1000), current: 8 })).units, 10);
  assert.equal(decideUnits(input({ steps: cpuSteps(1), current: 1 })).units, 1);
  const below = decideUnits(
    input({ setting: { minUnits: 3, maxUnits: 5, cpuPercent: 50, requestsPerUnit: null }, current: 1 }),
  );
  assert.equal(below.units, 3);
  assert.match(below.reason, /kept within 3\.\.5 units: 1 → 3 units/);
  const above = decideUnits(
    input({ setting: { minUnits: 1, maxUnits: 3, cpuPercent: 50, requestsPerUnit: null }, current: 7 }),
  );
  assert.equal(above.units, 3);
});

test("a scale-up at most doubles the units or adds 4 per decision", () => {
  assert.equal(decideUnits(input({ current: 1, steps: cpuSteps(500) })).units, 5);
  assert.equal(
    decideUnits(
      input({
        current: 10,
        steps: cpuSteps(500),
        setting: { minUnits: 1, maxUnits: 100, cpuPercent: 50, requestsPerUnit: null },
      }),
    ).units,
    20,
  );
});

test("stabilisation: a scale-down waits for the window's highest recommendation, so load that comes and goes does not flap", () => {
  let history: Recommendation[] = [];
  let current = 2;
  const trace: number[] = [];
  // Two cores' worth of work that comes and goes every step for two minutes, then a trickle
  // for six minutes; the work spreads over the units the process has.
  for (let t = 0; t < 48; t++) {
    const busy = t < 12 && t % 2 === 0;
    const d = decideUnits(
      input({
        current,
        history,
        nowS: NOW + t * 10,
        steps: [{ ts: NOW + t * 10, cpuPercent: (busy ? 200 : 20) / current }],
        options: { sampleSteps: 1 },
      }),
    );
    history = d.history;
    current = d.units;
    trace.push(current);
  }
  // Up to 4 on the first busy step, then held at 4 through the flapping load ...
  assert.deepEqual(trace.slice(0, 12), new Array(12).fill(4));
  // ... and only after the 5-minute window without a busy step does it go down, once.
  const firstDown = trace.findIndex((u) => u < 4);
  assert.ok(firstDown >= 10 + 30, `went down at step ${firstDown}: ${trace.join(",")}`);
  assert.equal(trace.at(-1), 1);
  const changes = trace.filter((u, i) => i > 0 && u !== trace[i - 1]).length;
  assert.equal(changes, 1);
});

test("history older than the window is dropped and a new recommendation is recorded", () => {
  const d = decideUnits(
    input({
      current: 4,
      steps: cpuSteps(10),
      history: [
        { ts: NOW - 400, units: 9 },
        { ts: NOW - 100, units: 3 },
      ],
    }),
  );
  assert.equal(d.units, 3);
  assert.deepEqual(d.history, [
    { ts: NOW - 100, units: 3 },
    { ts: NOW, units: 1 },
  ]);
});

test("a scale-up is bounded by the quota and the pool's room, and says which held it", () => {
  const q = decideUnits(input({ steps: cpuSteps(100), current: 2, quotaFree: 1, poolFree: 10 }));
  assert.equal(q.units, 3);
  assert.equal(q.limitedBy, "quota");
  assert.equal(q.recommended, 4);
  assert.match(q.reason, /\(4 wanted; the app's quota has room for 3\)/);
  const p = decideUnits(input({ steps: cpuSteps(100), current: 2, quotaFree: null, poolFree: 0 }));
  assert.equal(p.units, 2);
  assert.equal(p.limitedBy, "pool");
  const none = decideUnits(input({ steps: cpuSteps(100), current: 2, quotaFree: -3, poolFree: 5 }));
  assert.equal(none.units, 2);
  assert.equal(none.limitedBy, "quota");
  // Capacity never matters for a scale-down.
  assert.equal(decideUnits(input({ steps: cpuSteps(5), current: 4, quotaFree: 0, poolFree: 0 })).units, 1);
});

test("a stopped or deploying process keeps its units whatever the metrics say", () => {
  for (const hold of ["stopped", "deploying"]) {
    const d = decideUnits(input({ steps: cpuSteps(100), hold }));
    assert.equal(d.units, 2);
    assert.equal(d.reason, `not scaled: the process is ${hold}`);
  }
});

test("a process with no units and load gets at least one unit per target's share", () => {
  assert.equal(
    decideUnits(
      input({
        current: 0,
        setting: { minUnits: 1, maxUnits: 10, cpuPercent: null, requestsPerUnit: 10 },
        steps: reqSteps(35),
      }),
    ).units,
    4,
  );
});

test("the steps decideUnits reads: mean CPU over the units that reported, the routers' requests", () => {
  const steps = processSteps(
    {
      step: 10,
      series: [
        {
          name: "requests",
          process: "web",
          unit: "",
          points: [
            [NOW - 10, 30],
            [NOW, 40],
          ],
        },
        {
          name: "cpu_percent",
          process: "web",
          unit: "u1",
          points: [
            [NOW - 10, 20],
            [NOW, 60],
          ],
        },
        { name: "cpu_percent", process: "web", unit: "u2", points: [[NOW, 80]] },
        { name: "memory_bytes", process: "web", unit: "u1", points: [[NOW, 1e9]] },
        { name: "cpu_percent", process: "worker", unit: "u3", points: [[NOW, 100]] },
      ],
    },
    "web",
  );
  assert.deepEqual(steps, [
    { ts: NOW - 10, cpuPercent: 20, requests: 30 },
    { ts: NOW, cpuPercent: 70, requests: 40 },
  ]);
  assert.deepEqual(
    processSteps(
      { step: 10, series: [{ name: "cpu_percent", process: "worker", unit: "u3", points: [[NOW, 100]] }] },
      "worker",
    ),
    [{ ts: NOW, cpuPercent: 100 }],
  );
});
