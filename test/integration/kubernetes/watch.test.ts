// The adapter's resumable watch against the stand-in: a watch cut (several times)
// mid-rollout resumes from its last version and the consumer misses no event; a
// version expired by compaction (410 Gone in the stream) makes it re-list and deliver
// what changed meanwhile; an API server that goes away is a "lost" state, and when it
// comes back the watch is live again and catches up; a rollout waiting while the API
// server is lost ends with an error that says so instead of hanging.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { KubeApiError, ResumableWatch, type WatchState } from "../../../src/cluster/kubernetes/index.js";
import { resourceOfKind } from "../../support/kube/resources.js";
import { startStandIn, waitFor, webDeployment } from "../../support/kube/fixture.js";

let env: Awaited<ReturnType<typeof startStandIn>>;
const ns = "watched";
const PODS = resourceOfKind("Pod");

before(async () => {
  env = await startStandIn();
  await env.cluster.namespaces.ensure(ns, "wharf-test");
});
after(() => env.stop());

function podWatch(
  onEvent: (type: string, p: V1Pod) => void,
  states: WatchState["kind"][] = [],
  tuning: { timeoutSeconds?: number; silenceGraceMs?: number } = {},
) {
  const k = env.cluster.client;
  return new ResumableWatch<V1Pod>({
    client: k,
    op: { verb: "watch", resource: "pods", namespace: ns },
    path: `/api/v1/namespaces/${ns}/pods`,
    list: async () => {
      const l = await k.core.listNamespacedPod({ namespace: ns });
      return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? "" };
    },
    onEvent: (e) => onEvent(e.type, e.object),
    onState: (s) => states.push(s.kind),
    backoff: { initialMs: 50, maxMs: 200 },
    lostAfter: 3,
    ...tuning,
  });
}

test("a watch cut three times mid-rollout resumes from its last version without losing an event", async () => {
  const { cluster, standIn } = env;
  await cluster.deployments.apply(ns, webDeployment("roll", "img:v1", { replicas: 2, probePath: "/ready" }));
  assert.equal((await cluster.deployments.rollout(ns, "roll", { timeoutMs: 60_000 })).phase, "complete");

  const committed: number[] = [];
  const off = standIn.store.onChange(
    (e) => e.resource === PODS && e.object.metadata.namespace === ns && committed.push(e.rv),
  );
  const seen: number[] = [];
  const w = podWatch((_t, p) => seen.push(Number(p.metadata?.resourceVersion)));
  await w.start();
  const listedAt = Number(w.cursor.resourceVersion);
  try {
    await cluster.deployments.apply(
      ns,
      webDeployment("roll", "img:v2", { replicas: 2, probePath: "/ready" }),
    );
    const rollout = cluster.deployments.rollout(ns, "roll", { timeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      await waitFor("some pod change", () => committed.length > i * 3);
      const opened = w.stats.watches;
      assert.ok(standIn.cutWatches() >= 1, "a watch was open to cut");
      await waitFor("our watch connected again", () => w.stats.watches > opened && w.state.kind === "live");
    }
    assert.equal((await rollout).phase, "complete");
    const last = Math.max(...committed);
    await waitFor(
      "the watch to catch up",
      () => Number(w.cursor.resourceVersion) >= last && seen.includes(last),
    );
    const expected = committed.filter((rv) => rv > listedAt);
    assert.deepEqual(
      seen.filter((rv) => rv > listedAt),
      expected,
      "every committed pod change arrives once, in order",
    );
    assert.ok(w.stats.watches >= 4, "it reconnected after each cut");
    assert.equal(w.stats.lists, 1, "resuming needed no re-list");
  } finally {
    off();
    w.stop();
  }
});

test("410 Gone on resume (history compacted) re-lists and delivers what changed while cut off", async () => {
  const { cluster, standIn } = env;
  const events: string[] = [];
  const w = podWatch((t, p) => events.push(`${t} ${p.metadata?.name}`));
  await w.start();
  try {
    const [victim] = await cluster.pods.list(ns, "tsuru.io/app-name=roll");
    // While the watch is cut off: a pod goes, the history is compacted.
    standIn.cutWatches();
    standIn.store.remove(PODS, ns, victim!.metadata!.name!);
    standIn.compact();
    await waitFor("the re-list", () => w.stats.gone >= 1 && w.stats.lists >= 2);
    await waitFor("the missed deletion", () => events.includes(`DELETED ${victim!.metadata!.name}`));
    await waitFor("the replacement pod", async () =>
      (await cluster.pods.list(ns)).every(
        (p) => events.includes(`ADDED ${p.metadata?.name}`) || !p.metadata?.name,
      ),
    );
    const names = new Set(w.cursor.objects().map((p) => p.metadata?.name));
    const truth = new Set((await cluster.pods.list(ns)).map((p) => p.metadata?.name));
    await waitFor("the watch view to equal the server's", () => {
      const now = new Set(w.cursor.objects().map((p) => p.metadata?.name));
      return [...truth].every((n) => now.has(n)) && now.size === truth.size;
    });
    assert.ok(names.size > 0);
  } finally {
    w.stop();
  }
});

test("a watch that goes silent without its connection closing is abandoned after its timeout and resumed", async () => {
  const { standIn } = env;
  const added: string[] = [];
  const w = podWatch((t, p) => t === "ADDED" && added.push(p.metadata?.name ?? ""), [], {
    timeoutSeconds: 1,
    silenceGraceMs: 500,
  });
  await w.start();
  try {
    await waitFor("live", () => w.state.kind === "live");
    const opened = w.stats.watches;
    assert.ok(standIn.stallWatches() >= 1, "a watch was open to stall");
    standIn.registry.create(PODS, ns, {
      metadata: { name: "made-while-silent" },
      spec: { containers: [{ name: "c", image: "img:v1" }] },
    });
    await waitFor("the pod made while the watch was silent", () => added.includes("made-while-silent"));
    assert.ok(w.stats.silent >= 1, "the silent watch was taken for dead");
    assert.ok(w.stats.watches > opened, "and a new one was opened");
    assert.equal(w.stats.lists, 1, "it resumed from its version, no re-list");
  } finally {
    w.stop();
  }
});

test("a lost API server is a clear state; when it is back the watch is live and catches up", async () => {
  const { standIn } = env;
  const states: WatchState["kind"][] = [];
  const added: string[] = [];
  const w = podWatch((t, p) => t === "ADDED" && added.push(p.metadata?.name ?? ""), states);
  await w.start();
  try {
    await waitFor("live", () => w.state.kind === "live");
    await standIn.disconnect();
    await waitFor("the lost state", () => w.state.kind === "lost");
    assert.match((w.state as { error: string }).error, /cannot be reached/);
    // Meanwhile the cluster goes on: a pod appears.
    standIn.registry.create(PODS, ns, {
      metadata: { name: "made-while-away" },
      spec: { containers: [{ name: "c", image: "img:v1" }] },
    });
    await standIn.reconnect();
    await waitFor("live again", () => w.state.kind === "live");
    await waitFor("the pod made while away", () => added.includes("made-while-away"));
    assert.deepEqual([...new Set(states)].slice(0, 3), ["live", "reconnecting", "lost"]);
  } finally {
    w.stop();
  }
});

test("a rollout waiting while the API server is lost ends with an 'unreachable' error, not a failed version", async () => {
  const { cluster, standIn } = env;
  standIn.images.set("img:never-ready", { ready: false });
  await cluster.deployments.apply(
    ns,
    webDeployment("waits", "img:never-ready", { replicas: 1, probePath: "/ready" }),
  );
  const states: WatchState["kind"][] = [];
  const rollout = cluster.deployments.rollout(ns, "waits", {
    timeoutMs: 120_000,
    onWatchState: (s) => states.push(s.kind),
  });
  await waitFor("the rollout's watches to be live", () => states.includes("live"));
  await standIn.disconnect();
  try {
    await assert.rejects(rollout, (e: unknown) => {
      assert.ok(e instanceof KubeApiError);
      assert.equal(e.kind, "unreachable");
      assert.equal(e.status, 503);
      assert.match(
        e.message,
        /lost the Kubernetes API server while waiting for the rollout of deployment waits/,
      );
      assert.match(e.message, /cannot be reached/);
      return true;
    });
    assert.deepEqual(
      states.slice(states.indexOf("live")).slice(0, 3),
      ["live", "reconnecting", "lost"],
      "the combined state went from live through reconnecting to lost",
    );
  } finally {
    await standIn.reconnect();
  }
  await cluster.deployments.remove(ns, "waits");
});
