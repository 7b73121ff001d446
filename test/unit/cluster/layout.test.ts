import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultLayout, nodeNames, registryAddress } from "../../../src/cluster/dev/layout.js";
import { unescapeMountPath } from "../../../src/cluster/dev/mounts.js";

test("nodes get consecutive addresses from .11 on the tool's /24, the host bridge holds .1", () => {
  const l = defaultLayout({ WHARF_DEV_SUBNET: "10.1.2.0/24" });
  assert.equal(nodeNames(l, 1).address, "10.1.2.11");
  assert.equal(nodeNames(l, 3).address, "10.1.2.13");
  assert.equal(registryAddress(l), "10.1.2.1:5000");
});

test("every link name stays within Linux's 15-character limit at the largest node count", () => {
  const l = defaultLayout({ WHARF_DEV_PREFIX: "abcdef" });
  const n = nodeNames(l, 200);
  for (const name of [n.vethHost, n.vethNode, l.bridge]) assert.ok(name.length <= 15, name);
});

test("a subnet that is not a /24 or a bad prefix is refused with the expected form", () => {
  assert.throws(() => defaultLayout({ WHARF_DEV_SUBNET: "10.0.0.0/16" }), /A\.B\.C\.0\/24/);
  assert.throws(() => defaultLayout({ WHARF_DEV_PREFIX: "Bad-Prefix" }), /2 to 6 lowercase/);
});

test("node indexes outside 1..200 are refused", () => {
  const l = defaultLayout({});
  assert.throws(() => nodeNames(l, 0), /from 1 to 200/);
  assert.throws(() => nodeNames(l, 201), /from 1 to 200/);
  assert.throws(() => nodeNames(l, 1.5), /from 1 to 200/);
});

test("two layouts with different prefixes share no resource name", () => {
  const a = defaultLayout({ WHARF_DEV_PREFIX: "wdv" });
  const b = defaultLayout({ WHARF_DEV_PREFIX: "wtc" });
  assert.notEqual(a.cgroup, b.cgroup);
  assert.notEqual(nodeNames(a, 1).netns, nodeNames(b, 1).netns);
});

test("mount points with escaped spaces are decoded as mountinfo writes them", () => {
  assert.equal(unescapeMountPath("/var/lib/a\\040b"), "/var/lib/a b");
});
