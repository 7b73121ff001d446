import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidEngineLabelError, specsFromInfo } from "../../../src/cluster/nodes/specs.js";

const info = {
  ID: "ABCD",
  Name: "node-1",
  NCPU: 4,
  MemTotal: 8 * 2 ** 30,
  Driver: "overlay2",
  KernelVersion: "6.1.0",
  OperatingSystem: "Debian GNU/Linux 12 (bookworm)",
  OSType: "linux",
  ServerVersion: "20.10.24",
};

test("engine specs become Swarm's standard labels, plus the engine's own labels", () => {
  const s = specsFromInfo({ ...info, Labels: ["zone=a", "disk=ssd"] });
  assert.deepEqual(s.labels, {
    storagedriver: "overlay2",
    kernelversion: "6.1.0",
    operatingsystem: "Debian GNU/Linux 12 (bookworm)",
    ostype: "linux",
    zone: "a",
    disk: "ssd",
  });
  assert.equal(s.cpus, 4);
  assert.equal(s.memory, 8 * 2 ** 30);
  assert.deepEqual(s.warnings, []);
});

test("an engine label named node is ignored with a warning: node is reserved for constraints", () => {
  const s = specsFromInfo({ ...info, Labels: ["node=other"] });
  assert.equal(s.labels.node, undefined);
  assert.match(s.warnings[0]!, /reserved/);
});

test("an engine label cannot override a standard label", () => {
  const s = specsFromInfo({ ...info, Labels: ["storagedriver=zfs"] });
  assert.equal(s.labels.storagedriver, "overlay2");
  assert.match(s.warnings[0]!, /override/);
});

test("an engine label that is not key=value fails validation", () => {
  assert.throws(() => specsFromInfo({ ...info, Labels: ["novalue"] }), InvalidEngineLabelError);
  assert.throws(() => specsFromInfo({ ...info, Labels: ["=x"] }), /key=value/);
});

test("empty standard values are left out; a value may contain '='", () => {
  const s = specsFromInfo({ ...info, Driver: "", Labels: ["expr=a=b"] });
  assert.equal("storagedriver" in s.labels, false);
  assert.equal(s.labels.expr, "a=b");
});
