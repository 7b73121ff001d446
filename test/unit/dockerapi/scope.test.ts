// Swarm's container lookup (swarm-classic.md §7) inside one caller's scope.
import { test } from "node:test";
import assert from "node:assert/strict";
import { findContainer, type Scope } from "../../../src/dockerapi/scope.js";
import type { DockerContainerRecord, NodeRecord } from "../../../src/store/types.js";

const rec = (swarmId: string, containerId: string, name: string): DockerContainerRecord =>
  ({ swarmId, containerId, name, node: "https://n1:2376", team: "alpha" }) as DockerContainerRecord;
const n1 = { address: "https://n1:2376", engineName: "node-1", engineId: "E1" } as NodeRecord;
const scope = (containers: DockerContainerRecord[]): Scope =>
  ({
    caller: { teams: ["alpha"] },
    pools: ["main"],
    nodes: [n1],
    containers,
    byAddress: new Map([[n1.address, n1]]),
  }) as unknown as Scope;

const a = rec("a".repeat(64), "1".repeat(64), "web");
const b = rec("b".repeat(64), "12" + "3".repeat(62), "db");

test("exact and 12-character engine or swarm ids, then names (n, /n, <node>/n), then unique prefixes", () => {
  const s = scope([a, b]);
  assert.equal(findContainer(s, a.containerId), a);
  assert.equal(findContainer(s, a.swarmId.slice(0, 12)), a);
  assert.equal(findContainer(s, "/db"), b);
  assert.equal(findContainer(s, "node-1/db"), b);
  assert.equal(findContainer(s, "bbb"), b);
  assert.equal(findContainer(s, "1"), undefined, "an ambiguous prefix finds nothing");
  assert.equal(findContainer(s, "other-node/db"), undefined);
});

test("a name wins over an id prefix, and a container still being created is not found", () => {
  const named = rec("c".repeat(64), "9".repeat(64), "111");
  assert.equal(findContainer(scope([a, named]), "111"), named);
  assert.equal(findContainer(scope([{ ...a, containerId: "" }]), "web"), undefined);
});

test("nothing outside the scope's containers is ever found", () => {
  assert.equal(findContainer(scope([]), a.containerId), undefined);
  assert.equal(findContainer(scope([b]), "web"), undefined);
});
