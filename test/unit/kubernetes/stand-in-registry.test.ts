// The stand-in API server's storage semantics that the adapter relies on, checked
// without a network: one cluster-wide resourceVersion, 409 Conflict on a stale write
// with the real Status, generation only on spec changes, status and scale
// subresources, validation as 422 Invalid, and history compaction that makes resuming
// from an old version "expired" (the 410 Gone of watches and lists).
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { Registry } from "../../support/kube/registry.js";
import { resourceOfKind } from "../../support/kube/resources.js";
import { ApiError } from "../../support/kube/status.js";
import { Store, type KObject } from "../../support/kube/store.js";
import { intOrPercent } from "../../support/kube/controllers/util.js";

const NS = resourceOfKind("Namespace");
const DEP = resourceOfKind("Deployment");
const SECRET = resourceOfKind("Secret");

let reg: Registry;
beforeEach(() => {
  reg = new Registry(new Store());
  reg.create(NS, undefined, { metadata: { name: "team" } });
});

const deployment = (replicas = 2): Record<string, unknown> => ({
  metadata: { name: "web" },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "i:1" }] } },
  },
});

function status(f: () => unknown): ApiError["status"] {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e.status;
    throw e;
  }
  assert.fail("expected an API error");
}

test("every write takes the next cluster-wide resourceVersion; a write that changes nothing keeps it", () => {
  const a = reg.create(DEP, "team", deployment());
  const s = reg.create(SECRET, "team", { metadata: { name: "s" }, data: {} });
  assert.equal(Number(s.metadata.resourceVersion), Number(a.metadata.resourceVersion) + 1);
  const same = reg.update(DEP, "team", "web", a);
  assert.equal(same.metadata.resourceVersion, a.metadata.resourceVersion);
});

test("a replace with a stale resourceVersion is 409 Conflict with Kubernetes' Status; without one it is unconditional", () => {
  const a = reg.create(DEP, "team", deployment());
  reg.update(DEP, "team", "web", { ...a, metadata: { ...a.metadata, labels: { x: "1" } } });
  const st = status(() => reg.update(DEP, "team", "web", { ...a, spec: { ...a.spec, replicas: 5 } }));
  assert.equal(st.code, 409);
  assert.equal(st.reason, "Conflict");
  assert.match(
    st.message ?? "",
    /^Operation cannot be fulfilled on deployments\.apps "web": the object has been modified/,
  );
  const { resourceVersion: _rv, ...meta } = a.metadata;
  const forced = reg.update(DEP, "team", "web", { ...a, metadata: meta, spec: { ...a.spec, replicas: 5 } });
  assert.equal(forced.spec.replicas, 5);
});

test("a delete with a stale resourceVersion or uid precondition is 409 and leaves the object", () => {
  const s = reg.create(SECRET, "team", { metadata: { name: "s" }, data: {} });
  reg.update(SECRET, "team", "s", { ...s, metadata: { ...s.metadata, labels: { x: "1" } } });
  const stale = status(() =>
    reg.delete(SECRET, "team", "s", { preconditions: { resourceVersion: s.metadata.resourceVersion } }),
  );
  assert.equal(stale.code, 409);
  assert.match(stale.message ?? "", /^Precondition failed: ResourceVersion in precondition/);
  assert.equal(status(() => reg.delete(SECRET, "team", "s", { preconditions: { uid: "other" } })).code, 409);
  assert.ok(reg.store.get(SECRET, "team", "s"));
  assert.equal(reg.delete(SECRET, "team", "s", { preconditions: { uid: s.metadata.uid } }).gone, true);
});

test("generation moves with the spec only; the main resource ignores status and /status ignores spec", () => {
  const a = reg.create(DEP, "team", deployment());
  assert.equal(a.metadata.generation, 1);
  const labelled = reg.update(DEP, "team", "web", { ...a, metadata: { ...a.metadata, labels: { x: "1" } } });
  assert.equal(labelled.metadata.generation, 1);
  const withStatus = reg.updateStatus(DEP, "team", "web", {
    ...labelled,
    spec: { ...labelled.spec, replicas: 9 },
    status: { observedGeneration: 1, replicas: 2 },
  });
  assert.equal(withStatus.spec.replicas, 2, "a status write leaves the spec alone");
  assert.equal(withStatus.status.replicas, 2);
  const scaled = reg.update(DEP, "team", "web", {
    ...withStatus,
    spec: { ...withStatus.spec, replicas: 3 },
    status: { replicas: 99 },
  });
  assert.equal(scaled.metadata.generation, 2);
  assert.equal(scaled.status.replicas, 2, "a spec write leaves the status alone");
});

test("the scale subresource reads and writes spec.replicas with a precondition, and refuses a negative count", () => {
  reg.create(DEP, "team", deployment());
  const d = reg.store.mustGet(DEP, "team", "web");
  const scale = reg.scaleOf(DEP, d);
  assert.equal(scale.kind, "Scale");
  assert.equal(scale.apiVersion, "autoscaling/v1");
  assert.deepEqual(scale.spec, { replicas: 2 });
  assert.equal(scale.status.selector, "app=web");
  const up = reg.updateScale(DEP, "team", "web", { ...scale, spec: { replicas: 4 } });
  assert.equal(up.spec.replicas, 4);
  assert.equal(reg.store.mustGet(DEP, "team", "web").spec.replicas, 4);
  assert.equal(
    status(() => reg.updateScale(DEP, "team", "web", { ...scale, spec: { replicas: 1 } })).code,
    409,
  );
  assert.equal(status(() => reg.updateScale(DEP, "team", "web", { spec: { replicas: -1 } })).code, 422);
});

test("invalid objects are 422 Invalid naming the field; immutable fields stay; a missing namespace is 404", () => {
  const bad = deployment();
  (bad.spec as { strategy?: unknown }).strategy = {
    type: "RollingUpdate",
    rollingUpdate: { maxSurge: 0, maxUnavailable: 0 },
  };
  const st = status(() => reg.create(DEP, "team", bad));
  assert.equal(st.code, 422);
  assert.equal(st.details?.causes?.[0]?.field, "spec.strategy.rollingUpdate.maxUnavailable");
  const a = reg.create(DEP, "team", deployment());
  const moved = status(() =>
    reg.update(DEP, "team", "web", {
      ...a,
      spec: { ...a.spec, selector: { matchLabels: { app: "other" } } },
    }),
  );
  assert.equal(moved.code, 422);
  assert.match(moved.message ?? "", /spec\.selector.*field is immutable/);
  const nsMissing = status(() => reg.create(DEP, "nowhere", deployment()));
  assert.equal(nsMissing.code, 404);
  assert.equal(nsMissing.message, 'namespaces "nowhere" not found');
});

test("a namespace being deleted refuses new content with 403, as the real server does", () => {
  reg.delete(NS, undefined, "team");
  const st = status(() => reg.create(SECRET, "team", { metadata: { name: "s" } }));
  assert.equal(st.code, 403);
  assert.match(st.message ?? "", /being terminated/);
});

test("after compaction, changes since an older version are expired; since the compaction point they resume", () => {
  const store = reg.store;
  const from = store.currentRv;
  const a = reg.create(DEP, "team", deployment());
  const backlog = store.changesSince(from);
  assert.ok(Array.isArray(backlog));
  assert.deepEqual(
    (backlog as { object: KObject }[]).map((e) => e.object.metadata.name),
    ["web"],
  );
  const at = store.compact();
  assert.equal(store.changesSince(from), "expired");
  reg.update(DEP, "team", "web", { ...a, metadata: { ...a.metadata, labels: { x: "1" } } });
  const after = store.changesSince(at);
  assert.ok(Array.isArray(after) && after.length === 1 && after[0]!.type === "MODIFIED");
});

test("maxSurge rounds a percentage up and maxUnavailable rounds it down, as the Deployment controller does", () => {
  assert.equal(intOrPercent("25%", 3, true), 1);
  assert.equal(intOrPercent("25%", 3, false), 0);
  assert.equal(intOrPercent("50%", 5, true), 3);
  assert.equal(intOrPercent("50%", 5, false), 2);
  assert.equal(intOrPercent(2, 5, false), 2);
});
