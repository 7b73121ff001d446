// kubectl (Debian's kubernetes-client) against the stand-in lists what Wharf's adapter
// created: a check that the stand-in speaks the real wire format (discovery, TLS,
// client certificates, list encoding) and not only what the adapter happens to send.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { startStandIn, webDeployment, webService } from "../../support/kube/fixture.js";

const run = promisify(execFile);
let env: Awaited<ReturnType<typeof startStandIn>>;
let dir = "";

before(async () => {
  env = await startStandIn();
  dir = mkdtempSync(join(tmpdir(), "kubectl-"));
  writeFileSync(join(dir, "kubeconfig"), env.standIn.kubeconfig(), { mode: 0o600 });
});
after(async () => {
  await env.stop();
  rmSync(dir, { recursive: true, force: true });
});

const kubectl = async (...args: string[]) =>
  (
    await run("kubectl", ["--kubeconfig", join(dir, "kubeconfig"), ...args], {
      env: { ...process.env, HOME: dir },
    })
  ).stdout;

test("kubectl lists the namespace, Deployment, Service, Secret and EndpointSlice the adapter created", async () => {
  const { cluster } = env;
  await cluster.namespaces.ensure("team-k", "wharf-test");
  await cluster.deployments.apply("team-k", webDeployment("web", "img:v1", { replicas: 1 }));
  await cluster.services.apply("team-k", webService("web"));
  await cluster.secrets.apply("team-k", "web-env", { A: "1" });
  assert.equal((await cluster.deployments.rollout("team-k", "web", { timeoutMs: 60_000 })).phase, "complete");

  const ns = JSON.parse(await kubectl("get", "namespace", "team-k", "-o", "json"));
  assert.equal(ns.metadata.labels["app.kubernetes.io/managed-by"], "wharf");
  const list = JSON.parse(
    await kubectl("get", "deployments,services,secrets,endpointslices", "-n", "team-k", "-o", "json"),
  );
  const names = list.items.map(
    (i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`,
  );
  for (const want of ["Deployment/web", "Service/web", "Secret/web-env"])
    assert.ok(names.includes(want), `${want} in ${names.join(", ")}`);
  assert.ok(names.some((n: string) => n.startsWith("EndpointSlice/web-")));
  const pods = await kubectl(
    "get",
    "pods",
    "-n",
    "team-k",
    "-l",
    "tsuru.io/app-name=web",
    "-o",
    "jsonpath={.items[*].status.phase}",
  );
  assert.equal(pods, "Running");
  const rollout = await kubectl("rollout", "status", "deployment/web", "-n", "team-k");
  assert.match(rollout, /successfully rolled out/);
});
