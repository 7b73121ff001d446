import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeNodeMetadata, nodeStatus, validateNodeMetadata } from "../../../src/domain/nodes.js";
import { BadRequestError } from "../../../src/domain/errors.js";

test("node metadata accepts tsuru-style keys such as zone and iaas", () => {
  validateNodeMetadata({ zone: "a", "rack.row-1_x": "b", iaas: "none" });
});

test("node metadata refuses bad keys, reserved runtime keys, control characters and too many keys", () => {
  assert.throws(() => validateNodeMetadata({ "bad key": "x" }), BadRequestError);
  assert.throws(() => validateNodeMetadata({ LastSuccess: "x" }), /kept by Wharf/);
  assert.throws(() => validateNodeMetadata({ zone: "a\nb" }), /printable/);
  assert.throws(() => validateNodeMetadata({ zone: "x".repeat(256) }), /at most 255/);
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
  assert.throws(() => validateNodeMetadata(many), /at most 50/);
});

test("node update metadata: an empty value removes the key, pool and address are not metadata", () => {
  assert.deepEqual(
    mergeNodeMetadata({ zone: "a", rack: "1" }, { zone: "", disk: "ssd", pool: "p2", address: "x" }),
    {
      rack: "1",
      disk: "ssd",
    },
  );
});

test("node status: disabled wins, then waiting / ready / unhealthy from health", () => {
  assert.equal(nodeStatus({ disabled: true }, { state: "healthy" }), "disabled");
  assert.equal(nodeStatus({ disabled: false }, { state: "pending" }), "waiting");
  assert.equal(nodeStatus({ disabled: false }, { state: "healthy" }), "ready");
  assert.equal(nodeStatus({ disabled: false }, { state: "unhealthy" }), "unhealthy");
});
