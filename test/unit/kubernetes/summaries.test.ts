// What Wharf shows of pods and nodes (app info units, node list) is read off the
// objects: node, IP, phase (Terminating while being deleted), readiness from the Ready
// condition, restarts summed over containers, and why a container is not running.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { summarize } from "../../../src/cluster/kubernetes/pods.js";
import { summarizeNode } from "../../../src/cluster/kubernetes/nodes.js";

const pod = (over: Partial<V1Pod> = {}): V1Pod => ({
  metadata: { name: "web-abc-1", labels: { "tsuru.io/app-name": "web" } },
  spec: { nodeName: "node-1", containers: [] },
  status: {
    phase: "Running",
    podIP: "127.77.0.4",
    conditions: [{ type: "Ready", status: "True" }],
    containerStatuses: [
      { name: "a", image: "i", imageID: "", ready: true, restartCount: 2, state: { running: {} } },
      { name: "b", image: "i", imageID: "", ready: true, restartCount: 1, state: { running: {} } },
    ],
  },
  ...over,
});

test("a running pod: node, IP, ready, restarts of all containers, labels", () => {
  assert.deepEqual(summarize(pod()), {
    name: "web-abc-1",
    node: "node-1",
    ip: "127.77.0.4",
    phase: "Running",
    ready: true,
    restarts: 3,
    labels: { "tsuru.io/app-name": "web" },
  });
});

test("a pod in back-off names the waiting reason and is not ready", () => {
  const s = summarize(
    pod({
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: "False" }],
        containerStatuses: [
          {
            name: "a",
            image: "i",
            imageID: "",
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: "CrashLoopBackOff" } },
          },
        ],
      },
    }),
  );
  assert.equal(s.ready, false);
  assert.equal(s.reason, "CrashLoopBackOff");
  assert.equal(s.restarts, 4);
  assert.equal(s.ip, undefined);
});

test("a pod being deleted is Terminating; a pod not yet scheduled is Pending without a node", () => {
  const p = pod();
  p.metadata!.deletionTimestamp = new Date();
  assert.equal(summarize(p).phase, "Terminating");
  const pending = summarize({ metadata: { name: "x" }, spec: { containers: [] } });
  assert.equal(pending.phase, "Pending");
  assert.equal(pending.node, undefined);
  assert.equal(pending.ready, false);
});

test("a node: its InternalIP, readiness, cordon and taints", () => {
  const n: V1Node = {
    metadata: { name: "node-2", labels: { "tsuru.io/pool": "main" } },
    spec: { unschedulable: true, taints: [{ key: "k", value: "v", effect: "NoSchedule" }] },
    status: {
      addresses: [
        { type: "Hostname", address: "node-2" },
        { type: "InternalIP", address: "127.0.0.1" },
      ],
      conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady" }],
    },
  };
  assert.deepEqual(summarizeNode(n), {
    name: "node-2",
    address: "127.0.0.1",
    ready: false,
    unschedulable: true,
    labels: { "tsuru.io/pool": "main" },
    taints: [{ key: "k", value: "v", effect: "NoSchedule" }],
  });
});
