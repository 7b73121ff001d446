import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodeRecord, UnitRecord } from "../../../../src/store/types.js";
import type { ManagedUnit } from "../../../../src/provision/docker/index.js";
import {
  drainingUnits,
  exitReason,
  healHistory,
  lostUnits,
  orphanContainers,
  replacementCounts,
  unitVerdicts,
} from "../../../../src/provision/docker/heal/heal-plan.js";

const A = "https://10.0.0.1:2376";
const B = "https://10.0.0.2:2376";

function node(address: string, state: NodeRecord["health"]["state"]): NodeRecord {
  return {
    address,
    pool: "p",
    metadata: {},
    engineId: address,
    engineName: address,
    labels: {},
    cpus: 2,
    memory: 2 ** 30,
    disabled: false,
    health: { state, failures: 0, lastSuccess: null, lastError: "", lastErrorAt: null, since: new Date(0) },
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

function unit(id: string, n: string, o: Partial<UnitRecord> = {}): UnitRecord {
  return {
    id,
    app: "app",
    process: "web",
    version: 1,
    node: n,
    containerId: `c-${id}`,
    host: "10.0.0.1",
    port: 30000,
    status: "started",
    routable: true,
    restartGen: 0,
    error: "",
    restarts: 0,
    lastExitReason: "",
    lastExitCode: null,
    lastExitAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...o,
  };
}

function container(unitId: string, state: string, id = `c-${unitId}`): ManagedUnit {
  return {
    containerId: id,
    name: `wharf-${unitId}`,
    unitId,
    app: "app",
    process: "web",
    version: 1,
    image: "img",
    state,
    status: state,
    hostPort: null,
    address: null,
  };
}

describe("healer decisions", () => {
  it("lost units are the started units on unhealthy nodes, by app", () => {
    const lost = lostUnits(
      [node(A, "unhealthy"), node(B, "healthy")],
      [unit("a1", A), unit("a2", A, { app: "other" }), unit("a3", A, { status: "removing" }), unit("b1", B)],
    );
    assert.deepEqual(
      [...lost].map(([app, us]) => [app, us.map((u) => u.id)]),
      [
        ["app", ["a1"]],
        ["other", ["a2"]],
      ],
    );
  });

  it("draining units are the started units on disabled nodes that still answer (unreachable ones are lost)", () => {
    const C = "https://10.0.0.3:2376";
    const nodes = [
      { ...node(A, "healthy"), disabled: true },
      { ...node(B, "unhealthy"), disabled: true },
      node(C, "healthy"),
    ];
    const units = [
      unit("u1", A),
      unit("u2", A, { status: "removing" }),
      unit("u3", B),
      unit("u4", C),
      unit("u5", A, { app: "other" }),
    ];
    const d = drainingUnits(nodes, units);
    assert.deepEqual(
      [...d].map(([app, us]) => [app, us.map((u) => u.id)]),
      [
        ["app", ["u1"]],
        ["other", ["u5"]],
      ],
    );
    assert.deepEqual([...lostUnits(nodes, units).keys()], ["app"], "the unreachable node's unit is lost");
  });

  it("a replacement inherits its predecessor's restarts and last exit, nothing else", () => {
    const at = new Date(5);
    const h = healHistory(
      unit("u1", A, { restarts: 3, lastExitReason: "exited with code 3", lastExitCode: 3, lastExitAt: at }),
    );
    assert.deepEqual(h, {
      restarts: 3,
      lastExitReason: "exited with code 3",
      lastExitCode: 3,
      lastExitAt: at,
    });
  });

  it("replacements are counted per version and process", () => {
    const counts = replacementCounts([
      unit("1", A),
      unit("2", A),
      unit("3", A, { process: "worker" }),
      unit("4", A, { version: 2 }),
    ]);
    assert.deepEqual(
      [...counts],
      [
        [1, { web: 2, worker: 1 }],
        [2, { web: 1 }],
      ],
    );
  });

  it("orphans are containers whose unit the store does not know", () => {
    const cs = [container("known", "running"), container("gone", "exited")];
    assert.deepEqual(
      orphanContainers(cs, new Set(["known"])).map((c) => c.unitId),
      ["gone"],
    );
  });

  it("verdicts: running, exited (any stopped state) or missing; units on unlisted nodes are skipped", () => {
    const v = unitVerdicts(
      [
        unit("up", A),
        unit("dead", A),
        unit("oom", A),
        unit("vanished", A),
        unit("elsewhere", B),
        unit("paused", A),
        unit("new", A, { status: "starting" }),
      ],
      new Map([
        [
          A,
          [
            container("up", "running"),
            container("dead", "exited"),
            container("oom", "dead"),
            container("paused", "paused"),
          ],
        ],
      ]),
    );
    assert.deepEqual(
      v.map((x) => [x.unit.id, x.state]),
      [
        ["up", "running"],
        ["dead", "exited"],
        ["oom", "exited"],
        ["vanished", "missing"],
      ],
    );
  });

  it("a unit's own container (by id) decides over a stray one with the same unit label", () => {
    const [v] = unitVerdicts(
      [unit("u", A)],
      new Map([[A, [container("u", "exited", "stray"), container("u", "running")]]]),
    );
    assert.equal(v!.state, "running");
  });

  it("exit reasons say OOM, the code, Docker's error, or that the container is gone", () => {
    const base = { exitCode: 137, oomKilled: true, error: "", finishedAt: "" };
    assert.equal(exitReason(base), "killed for running out of memory (OOM)");
    assert.equal(exitReason({ ...base, oomKilled: false, exitCode: 3 }), "exited with code 3");
    assert.equal(
      exitReason({ ...base, oomKilled: false, exitCode: 127, error: "exec: not found" }),
      "exited with code 127 (exec: not found)",
    );
    assert.equal(exitReason(null), "its container disappeared");
  });
});
