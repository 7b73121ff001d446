// Capabilities are found at run time from what a provisioner implements, never from its name:
// the docker provisioner execs, drains nodes, is healed by Wharf, cleans images, passes the
// Docker API through and sweeps its nodes at start-up; a provisioner with only the base
// interface (the in-memory test double) has none, and one that heals itself is never healed.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  canExec,
  canRebalance,
  cleansImages,
  hasVolumes,
  healedByWharf,
  healsItself,
  passesDockerApi,
  runsNodeContainers,
  sweepsAtStartup,
} from "../../../src/provision/capabilities.js";
import type { Provisioner } from "../../../src/provision/provisioner.js";
import { DockerProvisioner } from "../../../src/provision/docker/provisioner.js";
import type { DockerCtx } from "../../../src/provision/docker/context.js";
import { InMemoryProvisioner } from "../../support/in-memory-provisioner.js";

const guards = {
  canExec,
  canRebalance,
  cleansImages,
  hasVolumes,
  healedByWharf,
  healsItself,
  passesDockerApi,
  runsNodeContainers,
  sweepsAtStartup,
};
const has = (p: Provisioner) =>
  Object.entries(guards)
    .filter(([, g]) => g(p))
    .map(([n]) => n)
    .sort();

test("the docker provisioner's capabilities", () => {
  const docker = new DockerProvisioner({} as DockerCtx);
  assert.deepEqual(has(docker), [
    "canExec",
    "canRebalance",
    "cleansImages",
    "healedByWharf",
    "passesDockerApi",
    "sweepsAtStartup",
  ]);
});

test("a provisioner with only the base interface has no capability", () => {
  assert.deepEqual(has(new InMemoryProvisioner("plain")), []);
});

test("a provisioner that heals itself is not healed by Wharf, even with a healer method", () => {
  const selfHealing = Object.assign(new InMemoryProvisioner("swarm"), {
    healsItself: true as const,
    healer: () => undefined,
  });
  assert.deepEqual(has(selfHealing), ["healsItself"]);
});
