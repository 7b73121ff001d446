// Rollout verdicts from Deployment, ReplicaSet and pod objects: complete by kubectl's
// rule, and failures with the reason a person can act on.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CoreV1Event, V1Deployment, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { rolloutState } from "../../../src/cluster/kubernetes/rollout.js";

const dep = (status: V1Deployment["status"], generation = 2): V1Deployment => ({
  metadata: { name: "web", uid: "d1", generation, annotations: { "deployment.kubernetes.io/revision": "2" } },
  spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: {} },
  status,
});
const rs = (rev: string, hash: string): V1ReplicaSet => ({
  metadata: {
    name: `web-${hash}`,
    labels: { "pod-template-hash": hash },
    annotations: { "deployment.kubernetes.io/revision": rev },
    ownerReferences: [{ uid: "d1", apiVersion: "apps/v1", kind: "Deployment", name: "web" }],
  },
});
const pod = (
  hash: string,
  cs: NonNullable<V1Pod["status"]>["containerStatuses"],
  conditions: NonNullable<V1Pod["status"]>["conditions"] = [],
): V1Pod => ({
  metadata: { name: `web-${hash}-x`, uid: `p-${hash}`, labels: { "pod-template-hash": hash } },
  status: { containerStatuses: cs, conditions },
});
const sets = [rs("1", "old"), rs("2", "new")];

test("waiting while the controller has not observed the new generation", () => {
  assert.equal(rolloutState(dep({ observedGeneration: 1 }), sets, [], []).phase, "progressing");
});

test("complete only when all replicas are updated and available and no old ones remain", () => {
  assert.match(
    (
      rolloutState(
        dep({ observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }),
        sets,
        [],
        [],
      ) as { message: string }
    ).message,
    /old replicas are pending termination/,
  );
  assert.match(
    (
      rolloutState(
        dep({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }),
        sets,
        [],
        [],
      ) as { message: string }
    ).message,
    /1 of 2 updated replicas are available/,
  );
  assert.equal(
    rolloutState(
      dep({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      sets,
      [],
      [],
    ).phase,
    "complete",
  );
});

test("an image that cannot be pulled fails at once once in back-off, naming the image", () => {
  const p = pod("new", [
    {
      name: "web",
      image: "reg/app:v2",
      ready: false,
      restartCount: 0,
      imageID: "",
      state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "reg/app:v2"' } },
    },
  ]);
  const s = rolloutState(dep({ observedGeneration: 2, updatedReplicas: 1 }), sets, [p], []);
  assert.equal(s.phase, "failed");
  assert.equal((s as { reason: string }).reason, "image-pull");
  assert.match((s as { message: string }).message, /reg\/app:v2/);
});

test("pods of the old revision do not count against the new one", () => {
  const old = pod("old", [
    {
      name: "web",
      image: "x",
      ready: false,
      restartCount: 9,
      imageID: "",
      state: { waiting: { reason: "CrashLoopBackOff" } },
    },
  ]);
  assert.equal(
    rolloutState(dep({ observedGeneration: 2, updatedReplicas: 0 }), sets, [old], []).phase,
    "progressing",
  );
});

test("a crash loop fails after the allowed restarts, with the exit code", () => {
  const crashing = (restarts: number) =>
    pod("new", [
      {
        name: "web",
        image: "x",
        ready: false,
        restartCount: restarts,
        imageID: "",
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 3, reason: "Error" } },
      },
    ]);
  assert.equal(rolloutState(dep({ observedGeneration: 2 }), sets, [crashing(1)], [], 2).phase, "progressing");
  const s = rolloutState(dep({ observedGeneration: 2 }), sets, [crashing(2)], [], 2);
  assert.equal((s as { reason: string }).reason, "crash-loop");
  assert.match((s as { message: string }).message, /exit code 3/);
});

test("the progress deadline fails the rollout with the readiness probe's failure as the reason", () => {
  const p = pod("new", [
    { name: "web", image: "x", ready: false, restartCount: 0, imageID: "", state: { running: {} } },
  ]);
  const ev: CoreV1Event = {
    metadata: {},
    involvedObject: { uid: "p-new" },
    reason: "Unhealthy",
    message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
  };
  const s = rolloutState(
    dep({
      observedGeneration: 2,
      conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
    }),
    sets,
    [p],
    [ev],
  );
  assert.equal(s.phase, "failed");
  assert.equal((s as { reason: string }).reason, "probe");
  assert.match((s as { message: string }).message, /statuscode: 503/);
  const bare = rolloutState(
    dep({
      observedGeneration: 2,
      conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
    }),
    sets,
    [],
    [],
  );
  assert.equal((bare as { reason: string }).reason, "deadline");
});
