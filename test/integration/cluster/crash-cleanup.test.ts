// `down` must clean up after an `up` killed at any point: it finds resources by name and
// cgroup, not by a state file the crashed run may never have written.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { down, leftovers } from "../../../src/cluster/dev/cluster.js";
import { TEST_CLUSTER_ENV, testLayout } from "../../support/dev-cluster.js";

const l = testLayout();

after(async () => {
  await down(l);
});

/** Starts `wharf dev cluster up` and SIGKILLs it once `ready()` says it is mid-way. */
async function killUpWhen(ready: () => boolean, maxMs: number): Promise<void> {
  const child = spawn(process.execPath, ["bin/wharf", "dev", "cluster", "up", "--nodes", "3"], {
    env: { ...process.env, ...TEST_CLUSTER_ENV },
    stdio: "ignore",
  });
  const exited = new Promise((r) => child.on("exit", r));
  const started = Date.now();
  while (!ready() && Date.now() - started < maxMs) await new Promise((r) => setTimeout(r, 5));
  child.kill("SIGKILL");
  await exited;
}

const stages: Array<[string, () => boolean]> = [
  ["after the CA exists", () => existsSync(`${l.stateDir}/pki/ca.pem`)],
  ["after the registry started", () => existsSync(`${l.stateDir}/registry/registry.pid`)],
  ["after the first namespace exists", () => existsSync(`/run/netns/${l.prefix}-n1`)],
  ["after a node's dockerd wrote its pid file", () => existsSync(`${l.runDir}/n2/dockerd.pid`)],
  ["while dockerds are starting", () => existsSync(`${l.runDir}/n3/containerd`)],
];

for (const [when, ready] of stages) {
  test(`up killed ${when}, then down, leaves nothing behind`, async () => {
    await down(l);
    await killUpWhen(ready, 20_000);
    await down(l);
    assert.deepEqual(await leftovers(l), []);
  });
}
