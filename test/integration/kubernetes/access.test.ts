// What a wrong cluster record or missing rights look like through the adapter: each a
// Wharf error whose sentence says what to fix, and nothing half-created.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Pki } from "../../../src/cluster/tls/pki.js";
import { KubernetesCluster } from "../../../src/cluster/kubernetes/index.js";
import { resourceOfKind } from "../../support/kube/resources.js";
import { startStandIn, tokenCluster, waitFor, webDeployment } from "../../support/kube/fixture.js";

let env: Awaited<ReturnType<typeof startStandIn>>;

before(async () => {
  env = await startStandIn();
  await env.cluster.namespaces.ensure("team-a", "wharf-test");
  // A service account that may only read pods in team-a.
  env.standIn.addToken("pods-reader-token", "system:serviceaccount:team-a:reader", [
    { verbs: ["get", "list", "watch"], resources: ["pods"], namespaces: ["team-a"] },
  ]);
});
after(() => env.stop());

test("the adapter's own credentials verify: Kubernetes 1.24 answers", async () => {
  const v = await env.cluster.verify();
  assert.equal(`${v.major}.${v.minor}`, "1.24");
  const viaToken = await tokenCluster(env.standIn, env.standIn.adminToken).verify();
  assert.equal(viaToken.gitVersion, "v1.24.17");
});

test("an imported kubeconfig (inline CA and token, or client certificate) connects and works", async () => {
  const { standIn } = env;
  for (const kubeconfig of [standIn.kubeconfig(standIn.adminToken), standIn.kubeconfig()]) {
    const c = KubernetesCluster.connect({ name: "imported", kubeconfig });
    assert.equal(c.server, standIn.url);
    assert.equal((await c.verify()).gitVersion, "v1.24.17");
    assert.ok((await c.namespaces.get("team-a"))?.metadata?.uid);
  }
});

test("a token without rights gets a 403 that says which right is missing where, and nothing is created", async () => {
  const limited = tokenCluster(env.standIn, "pods-reader-token");
  assert.equal((await limited.pods.list("team-a")).length, 0, "what it may do works");
  await assert.rejects(
    limited.deployments.apply("team-a", webDeployment("web", "img:v1")),
    (e: Error & { status?: number }) => {
      assert.equal(e.status, 403);
      assert.match(e.message, /lack rights to get deployments\.apps in namespace "team-a"/);
      assert.match(
        e.message,
        /User "system:serviceaccount:team-a:reader" cannot get resource "deployments" in API group "apps"/,
      );
      return true;
    },
  );
  await assert.rejects(
    limited.nodes.label("node-1", { "tsuru.io/pool": "x" }),
    /lack rights to patch nodes at the cluster scope/,
  );
  assert.equal(env.standIn.store.list(resourceOfKind("Deployment"), "team-a").length, 0);
  assert.equal(
    env.standIn.store.get(resourceOfKind("Node"), undefined, "node-1")?.metadata.labels?.["tsuru.io/pool"],
    undefined,
  );
});

test("an unknown token is a 400 at verify saying the credentials were refused", async () => {
  await assert.rejects(
    tokenCluster(env.standIn, "not-a-token").verify(),
    (e: Error & { status?: number }) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /did not accept Wharf's credentials \(401 Unauthorized\)/);
      return true;
    },
  );
});

test("a CA that did not sign the server's certificate is a clear TLS error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "other-ca-"));
  try {
    const other = new Pki(dir);
    await other.ensureCa("Some other CA");
    const wrong = KubernetesCluster.connect({
      name: "wrong-ca",
      addresses: [env.standIn.url],
      caCert: readFileSync(other.caCert, "utf8"),
      token: env.standIn.adminToken,
    });
    await assert.rejects(wrong.verify(), (e: Error & { status?: number }) => {
      assert.equal(e.status, 400);
      assert.match(e.message, /presented a certificate that the configured CA does not vouch for/);
      assert.match(e.message, /give the cluster's own CA certificate/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an address where no API server listens is a 400 at verify saying it cannot be reached", async () => {
  const gone = KubernetesCluster.connect({
    name: "nowhere",
    addresses: ["https://127.0.0.1:1"],
    caCert: env.standIn.credentials.ca,
    token: "t",
  });
  await assert.rejects(gone.verify(), /cannot be reached \(ECONNREFUSED\): check the cluster address/);
});

test("a namespace that exists and belongs to something else is refused, not taken over; Wharf's own is accepted again and removed", async () => {
  const { cluster, standIn } = env;
  standIn.registry.create(resourceOfKind("Namespace"), undefined, {
    metadata: { name: "legacy", labels: { team: "ops" } },
  });
  await assert.rejects(
    cluster.namespaces.ensure("legacy", "wharf-test"),
    (e: Error & { status?: number }) => {
      assert.equal(e.status, 409);
      assert.match(
        e.message,
        /namespace "legacy" already exists .* was not created by Wharf; choose another namespace/,
      );
      return true;
    },
  );
  await cluster.namespaces.ensure("other-wharf", "another-installation");
  await assert.rejects(
    cluster.namespaces.ensure("other-wharf", "wharf-test"),
    /is managed by "wharf" \(owner "another-installation"\)/,
  );
  assert.equal(
    standIn.store.get(resourceOfKind("Namespace"), undefined, "legacy")?.metadata.labels?.[
      "app.kubernetes.io/managed-by"
    ],
    undefined,
    "left untouched",
  );
  const again = await cluster.namespaces.ensure("team-a", "wharf-test");
  assert.equal(again.metadata?.name, "team-a", "Wharf's own namespace is accepted again (idempotent)");
  await cluster.namespaces.remove("other-wharf");
  await waitFor("the namespace to be gone", async () => !(await cluster.namespaces.get("other-wharf")));
  const anew = await cluster.namespaces.ensure("other-wharf", "wharf-test");
  assert.equal(anew.metadata?.labels?.["wharf.io/owner"], "wharf-test", "once gone, the name can be taken");
  await cluster.namespaces.remove("never-existed");
});
