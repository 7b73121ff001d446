// tsuru `pool add --provisioner`: a pool names one of the provisioners the server runs, or
// none (the default, docker); anything else is a 400 that names the known ones.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkProvisioner, DEFAULT_PROVISIONER } from "../../../src/domain/pools.js";
import { BadRequestError } from "../../../src/domain/errors.js";
import { ProvisionerRegistry } from "../../../src/provision/registry.js";
import { InMemoryProvisioner } from "../../support/in-memory-provisioner.js";

test("a pool may name no provisioner (the default) or a registered one", () => {
  assert.equal(DEFAULT_PROVISIONER, "docker");
  checkProvisioner("", ["docker"]);
  checkProvisioner("docker", ["docker", "kubernetes"]);
  checkProvisioner("kubernetes", ["docker", "kubernetes"]);
});

test("an unknown provisioner is a 400 naming the known ones", () => {
  assert.throws(
    () => checkProvisioner("swarm", ["kubernetes", "docker"]),
    (e: unknown) =>
      e instanceof BadRequestError &&
      /Unknown provisioner "swarm": use one of docker, kubernetes/.test(e.message),
  );
});

test("the registry answers a pool's provisioner by name, the default for none, a 400 for an unknown one", async () => {
  const docker = new InMemoryProvisioner("docker");
  const other = new InMemoryProvisioner("kubernetes");
  const r = new ProvisionerRegistry().register(docker).register(other);
  assert.deepEqual(r.names(), ["docker", "kubernetes"]);
  const pools: Record<string, { provisioner: string }> = {
    a: { provisioner: "" },
    k: { provisioner: "kubernetes" },
  };
  const store = { findPool: async (n: string) => (pools[n] as never) ?? null };
  assert.equal(await r.forPool(store, "a"), docker);
  assert.equal(await r.forPool(store, "k"), other);
  assert.throws(() => r.get("swarm"), /Unknown provisioner "swarm": use one of docker, kubernetes/);
  assert.throws(() => r.register(new InMemoryProvisioner("docker")), /registered twice/);
});
