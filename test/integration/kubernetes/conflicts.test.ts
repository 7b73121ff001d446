// Optimistic concurrency against the stand-in: a stale update is answered 409 Conflict
// with a real Status, and the adapter re-reads and retries instead of surfacing it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ApiException } from "@kubernetes/client-node";
import { resourceOfKind } from "../../support/kube/resources.js";
import { startStandIn, webDeployment, webService } from "../../support/kube/fixture.js";

let env: Awaited<ReturnType<typeof startStandIn>>;
const ns = "conflicts";
const DEPLOYMENTS = resourceOfKind("Deployment");
const NODES = resourceOfKind("Node");
const SERVICES = resourceOfKind("Service");

before(async () => {
  env = await startStandIn();
  await env.cluster.namespaces.ensure(ns, "wharf-test");
});
after(() => env.stop());

/** Another writer changes the object in the store (bumping its resourceVersion). */
function otherWriter(kind: typeof DEPLOYMENTS, namespace: string | undefined, name: string) {
  return () => {
    const o = env.standIn.store.get(kind, namespace, name)!;
    o.metadata.annotations = { ...o.metadata.annotations, "other-writer": String(Date.now()) };
    env.standIn.store.update(kind, o);
  };
}

const puts = (path: string) =>
  env.standIn.requests.filter((r) => r.method === "PUT" && r.path === path).map((r) => r.code);

test("a stale replace gets 409 Conflict with the API server's Status body", async () => {
  const { cluster } = env;
  const d = await cluster.deployments.apply(ns, webDeployment("raw", "img:v1", { replicas: 1 }));
  otherWriter(DEPLOYMENTS, ns, "raw")();
  const stale = { ...d, spec: { ...d.spec!, replicas: 3 } };
  const err = await cluster.client.apps
    .replaceNamespacedDeployment({ namespace: ns, name: "raw", body: stale })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(err instanceof ApiException, "the stale write is refused");
  assert.equal(err.code, 409);
  const status = JSON.parse(String(err.body));
  assert.equal(status.kind, "Status");
  assert.equal(status.reason, "Conflict");
  assert.match(
    status.message,
    /Operation cannot be fulfilled on deployments\.apps "raw": the object has been modified/,
  );
});

test("deployment apply meeting a concurrent update retries and wins, keeping the other writer's annotation", async () => {
  const { cluster, standIn } = env;
  await cluster.deployments.apply(ns, webDeployment("web", "img:v1", { replicas: 1 }));
  standIn.interfereOnce("PUT", "deployments", "web", otherWriter(DEPLOYMENTS, ns, "web"));
  const out = await cluster.deployments.apply(ns, webDeployment("web", "img:v2", { replicas: 1 }));
  assert.equal(out.spec?.template.spec?.containers[0]?.image, "img:v2");
  assert.deepEqual(puts(`/apis/apps/v1/namespaces/${ns}/deployments/web`), [409, 200]);
});

test("a Service another writer creates between Wharf's read and create is replaced, not surfaced as AlreadyExists", async () => {
  const { cluster, standIn } = env;
  standIn.interfereOnce("POST", "services", undefined, () =>
    standIn.registry.create(SERVICES, ns, {
      metadata: { name: "racy", labels: { by: "other" } },
      spec: { selector: { app: "other" }, ports: [{ port: 80 }] },
    }),
  );
  const out = await cluster.services.apply(ns, webService("racy"));
  const theirs = standIn.store.get(SERVICES, ns, "racy")!;
  assert.deepEqual(out.spec?.selector, webService("racy").spec?.selector, "Wharf's spec is in place");
  assert.equal(out.spec?.clusterIP, theirs.spec.clusterIP, "the allocated clusterIP is kept");
  const posts = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/${ns}/services`));
  assert.deepEqual(
    posts.map((r) => r.code),
    [409],
  );
  assert.deepEqual(puts(`/api/v1/namespaces/${ns}/services/racy`), [200]);
});

test("scale meeting a concurrent update retries through the scale subresource", async () => {
  const { cluster, standIn } = env;
  standIn.interfereOnce("PUT", "deployments", "web", otherWriter(DEPLOYMENTS, ns, "web"), "scale");
  await cluster.deployments.scale(ns, "web", 2);
  assert.equal((await cluster.deployments.get(ns, "web"))?.spec?.replicas, 2);
  assert.deepEqual(puts(`/apis/apps/v1/namespaces/${ns}/deployments/web/scale`), [409, 200]);
});

test("a node taint meeting a concurrent label change retries, and both changes stay", async () => {
  const { cluster, standIn } = env;
  standIn.interfereOnce("PUT", "nodes", "node-1", () => {
    const n = standIn.store.get(NODES, undefined, "node-1")!;
    n.metadata.labels = { ...n.metadata.labels, "someone-else": "yes" };
    standIn.store.update(NODES, n);
  });
  await cluster.nodes.taint("node-1", { key: "tsuru.io/disabled", value: "true", effect: "NoSchedule" });
  const n = await cluster.nodes.find("node-1");
  assert.deepEqual(
    n?.spec?.taints?.map((t) => `${t.key}=${t.value}:${t.effect}`),
    ["tsuru.io/disabled=true:NoSchedule"],
  );
  assert.equal(n?.metadata?.labels?.["someone-else"], "yes");
  assert.deepEqual(puts("/api/v1/nodes/node-1"), [409, 200]);
  await cluster.nodes.untaint("node-1", "tsuru.io/disabled");
  assert.deepEqual((await cluster.nodes.find("node-1"))?.spec?.taints ?? [], []);
});
