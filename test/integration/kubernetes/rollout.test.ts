// The adapter against the Kubernetes API stand-in: a Deployment rolls out, its pods
// become ready, the Service's EndpointSlice is published and seen through the watch,
// and the backends answer; failed rollouts report why (probe, image pull, crash loop)
// while the previous version keeps serving; undo and scale work.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readyBackends, type Backend } from "../../../src/cluster/kubernetes/index.js";
import { startStandIn, waitFor, webDeployment, webService } from "../../support/kube/fixture.js";

let env: Awaited<ReturnType<typeof startStandIn>>;
const ns = "team-a";

before(async () => {
  env = await startStandIn();
  env.standIn.images.set("registry.local/web:v2-unready", { ready: false });
  env.standIn.images.set("registry.local/web:missing", { pull: "not-found" });
  env.standIn.images.set("registry.local/web:crashes", { run: "crash", exitCode: 3 });
  await env.cluster.namespaces.ensure(ns, "wharf-test");
});
after(() => env.stop());

async function get(b: Backend): Promise<{ pod: string; image: string }> {
  const res = await fetch(`http://${b.ip}:${b.port}/`);
  return (await res.json()) as { pod: string; image: string };
}

test("deployment create: pods become ready, the EndpointSlice is published and seen through the watch, the backends answer", async () => {
  const { cluster } = env;
  let latest: Backend[] = [];
  const follow = cluster.endpointSlices.follow(
    ns,
    "web",
    (slices) => (latest = readyBackends(slices, "http")),
  );
  try {
    await cluster.services.apply(ns, webService("web"));
    await follow.start();
    await cluster.deployments.apply(
      ns,
      webDeployment("web", "registry.local/web:v1", { probePath: "/healthz" }),
    );
    const r = await cluster.deployments.rollout(ns, "web", { timeoutMs: 60_000 });
    assert.equal(r.phase, "complete", r.message);
    await waitFor("two ready endpoints", () => latest.length === 2);
    assert.equal(follow.state.kind, "live");
    const pods = await cluster.pods.summaries(ns, "tsuru.io/app-name=web");
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.ready && p.phase === "Running" && p.node));
    for (const b of latest) {
      const body = await get(b);
      assert.equal(body.pod, b.pod, "the backend at the endpoint address is the pod the slice names");
      assert.equal(body.image, "registry.local/web:v1");
    }
  } finally {
    follow.stop();
  }
});

test("a version whose readiness probe fails: the rollout fails with the probe's reason and the previous version keeps serving", async () => {
  const { cluster } = env;
  await cluster.deployments.apply(
    ns,
    webDeployment("web", "registry.local/web:v2-unready", {
      probePath: "/healthz",
      progressDeadlineSeconds: 3,
    }),
  );
  const r = await cluster.deployments.rollout(ns, "web", { timeoutMs: 60_000 });
  assert.equal(r.phase, "failed");
  assert.equal((r as { reason: string }).reason, "probe", r.message);
  assert.match(r.message, /Readiness probe failed: HTTP probe failed with statuscode: 503/);
  assert.match(r.message, /exceeded its progress deadline/);
  const stalled = await cluster.deployments.get(ns, "web");
  assert.equal(
    stalled?.status?.conditions?.find((c) => c.type === "Progressing")?.reason,
    "ProgressDeadlineExceeded",
    "the Deployment controller marked the rollout as stalled",
  );
  const backends = readyBackends(await cluster.endpointSlices.list(ns, "web"), "http");
  assert.equal(backends.length, 2, "maxUnavailable 0 keeps both old pods in service");
  for (const b of backends) assert.equal((await get(b)).image, "registry.local/web:v1");

  const rev = await cluster.deployments.undo(ns, "web");
  assert.equal(rev, 1);
  const back = await cluster.deployments.rollout(ns, "web", { timeoutMs: 60_000 });
  assert.equal(back.phase, "complete", back.message);
  const d = await cluster.deployments.get(ns, "web");
  assert.equal(d?.spec?.template.spec?.containers[0]?.image, "registry.local/web:v1");
  assert.equal(
    d?.metadata?.annotations?.["deployment.kubernetes.io/revision"],
    "3",
    "a rollback is a new revision",
  );
});

test("an image that cannot be pulled fails the rollout with the registry's answer", async () => {
  const { cluster } = env;
  await cluster.deployments.apply(ns, webDeployment("pull", "registry.local/web:missing", { replicas: 1 }));
  const r = await cluster.deployments.rollout(ns, "pull", { timeoutMs: 60_000 });
  assert.equal(r.phase, "failed");
  assert.equal((r as { reason: string }).reason, "image-pull");
  assert.match(r.message, /registry\.local\/web:missing.*not found/);
  await cluster.deployments.remove(ns, "pull");
});

test("a crashing container fails the rollout as a crash loop with its exit code", async () => {
  const { cluster } = env;
  await cluster.deployments.apply(ns, webDeployment("crash", "registry.local/web:crashes", { replicas: 1 }));
  const r = await cluster.deployments.rollout(ns, "crash", { timeoutMs: 60_000 });
  assert.equal((r as { reason: string }).reason, "crash-loop", r.message);
  assert.match(r.message, /exit code 3/);
  await cluster.deployments.remove(ns, "crash");
  await waitFor(
    "the crash pods gone",
    async () => (await cluster.pods.list(ns, "tsuru.io/app-name=crash")).length === 0,
  );
});

test("restart rolls the pods out anew, as kubectl rollout restart does", async () => {
  const { cluster } = env;
  const before = new Set((await cluster.pods.list(ns, "tsuru.io/app-name=web")).map((p) => p.metadata?.name));
  await cluster.deployments.restart(ns, "web");
  const r = await cluster.deployments.rollout(ns, "web", { timeoutMs: 60_000 });
  assert.equal(r.phase, "complete", r.message);
  const after = (await cluster.pods.list(ns, "tsuru.io/app-name=web")).filter(
    (p) => !p.metadata?.deletionTimestamp,
  );
  assert.equal(after.length, 2);
  assert.ok(
    after.every((p) => !before.has(p.metadata?.name)),
    "every pod was replaced",
  );
  const d = await cluster.deployments.get(ns, "web");
  assert.ok(d?.spec?.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]);
});

test("scale goes through the scale subresource and the endpoints follow; remove takes ReplicaSets and pods with it", async () => {
  const { cluster, standIn } = env;
  await cluster.deployments.scale(ns, "web", 3);
  const r = await cluster.deployments.rollout(ns, "web", { timeoutMs: 60_000 });
  assert.equal(r.phase, "complete");
  await waitFor(
    "three endpoints",
    async () => readyBackends(await cluster.endpointSlices.list(ns, "web"), "http").length === 3,
  );
  assert.ok(
    standIn.requests.some(
      (q) =>
        q.method === "PUT" &&
        q.path === `/apis/apps/v1/namespaces/${ns}/deployments/web/scale` &&
        q.code === 200,
    ),
  );
  await cluster.deployments.remove(ns, "web");
  await cluster.services.remove(ns, "web");
  await waitFor("pods gone", async () => (await cluster.pods.list(ns, "tsuru.io/app-name=web")).length === 0);
  assert.equal((await cluster.endpointSlices.list(ns, "web")).length, 0, "the slice goes with its Service");
  await cluster.services.remove(ns, "web"); // idempotent
});
