// Agent samples: the report's Metrics field is shape-checked with sentences, and only units
// placed on the reporting node, at step starts within the hour, become stored points (with
// the unit's restarts from its record).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSamples, samplePoints } from "../../../src/metrics/samples.js";
import { BadRequestError } from "../../../src/domain/errors.js";
import type { UnitRecord } from "../../../src/store/types.js";

const T = 1_700_000_000;
const unit = (id: string, node: string, restarts = 0) =>
  ({ id, node, restarts, app: "a", process: "web" }) as UnitRecord;

test("parseSamples takes well-formed samples and names the field of a bad one", () => {
  assert.deepEqual(parseSamples(undefined), []);
  assert.deepEqual(parseSamples([{ Unit: "u1", Time: T, CPUPercent: 5, Extra: 1 }]), [
    { Unit: "u1", Time: T, CPUPercent: 5 },
  ]);
  assert.throws(() => parseSamples({}), /Metrics must be a list/);
  assert.throws(() => parseSamples([{ Unit: "u1", Time: T + 3 }]), /Metrics\[0\]\.Time must be a step start/);
  assert.throws(() => parseSamples([{ Unit: "", Time: T }]), /Metrics\[0\]\.Unit/);
  assert.throws(() => parseSamples([{ Unit: "u", Time: T, MemoryBytes: -1 }]), BadRequestError);
  assert.throws(() => parseSamples([{ Unit: "u", Time: T, CPUPercent: "9" }]), /CPUPercent must be a number/);
});

test("samplePoints keeps the node's own units inside the window and adds restarts from the record", () => {
  const units = new Map([
    ["u1", unit("u1", "n1", 2)],
    ["u2", unit("u2", "n2")],
  ]);
  const pts = samplePoints(
    "n1",
    [
      { Unit: "u1", Time: T, CPUPercent: 12, MemoryBytes: 100, RxBytesPerSecond: 1, TxBytesPerSecond: 2 },
      { Unit: "u2", Time: T, CPUPercent: 50 },
      { Unit: "ghost", Time: T, CPUPercent: 50 },
      { Unit: "u1", Time: T - 7200, CPUPercent: 1 },
      { Unit: "u1", Time: T + 3600, CPUPercent: 1 },
    ],
    units,
    T + 5,
  );
  assert.deepEqual(
    pts.map((p) => [p.unit, p.name, p.value]),
    [
      ["u1", "cpu_percent", 12],
      ["u1", "memory_bytes", 100],
      ["u1", "net_rx_bytes", 1],
      ["u1", "net_tx_bytes", 2],
      ["u1", "restarts", 2],
    ],
  );
});
