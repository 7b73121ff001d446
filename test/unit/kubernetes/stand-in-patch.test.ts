// The stand-in's patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
// strategic-merge patch with the merge keys of the fields Wharf and kubectl touch.
import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonMergePatch, jsonPatch, PatchError, strategicMerge } from "../../support/kube/patch.js";

const deployment = {
  metadata: { labels: { app: "web", old: "x" } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          {
            name: "web",
            image: "a:1",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            ports: [{ containerPort: 8080 }],
          },
          { name: "side", image: "s:1" },
        ],
        tolerations: [{ key: "k", operator: "Exists" }],
      },
    },
  },
};

test("merge patch: objects merge, null deletes, lists are replaced", () => {
  const out = jsonMergePatch(deployment as never, {
    metadata: { labels: { old: null, new: "y" } },
    spec: { template: { spec: { tolerations: [] } } },
  }) as typeof deployment;
  assert.deepEqual(out.metadata.labels, { app: "web", new: "y" });
  assert.deepEqual(out.spec.template.spec.tolerations, []);
  assert.equal(out.spec.template.spec.containers.length, 2);
  assert.equal(deployment.metadata.labels.old, "x", "the original is not modified");
});

test("strategic merge: containers and env merge by name, ports by containerPort, other lists replace", () => {
  const out = strategicMerge(deployment as never, {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: "web",
              image: "a:2",
              env: [
                { name: "B", value: "3" },
                { name: "C", value: "4" },
              ],
            },
          ],
          tolerations: [{ key: "z", operator: "Exists" }],
        },
      },
    },
  }) as typeof deployment;
  const [web, side] = out.spec.template.spec.containers;
  assert.equal(web!.image, "a:2");
  assert.deepEqual(web!.env, [
    { name: "A", value: "1" },
    { name: "B", value: "3" },
    { name: "C", value: "4" },
  ]);
  assert.deepEqual(web!.ports, [{ containerPort: 8080 }]);
  assert.equal(side!.image, "s:1");
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: "z", operator: "Exists" }]);
});

test("strategic merge directives: $patch delete and replace, $deleteFromPrimitiveList, $setElementOrder ignored", () => {
  const out = strategicMerge(
    { ...deployment, metadata: { ...deployment.metadata, finalizers: ["a", "b"] } } as never,
    {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }],
            containers: [
              { name: "side", $patch: "delete" },
              { name: "web", env: [{ name: "X", value: "9" }, { $patch: "replace" }] },
            ],
          },
        },
      },
    },
  ) as typeof deployment & { metadata: { finalizers: string[] } };
  assert.deepEqual(out.metadata.finalizers, ["b"]);
  assert.deepEqual(
    out.spec.template.spec.containers.map((c) => c.name),
    ["web"],
  );
  assert.deepEqual(out.spec.template.spec.containers[0]!.env, [{ name: "X", value: "9" }]);
});

test("strategic merge refuses a list item without its merge key", () => {
  assert.throws(
    () =>
      strategicMerge(deployment as never, { spec: { template: { spec: { containers: [{ image: "x" }] } } } }),
    PatchError,
  );
});

test("JSON patch: add, replace, remove, test; a failed test aborts", () => {
  const out = jsonPatch(deployment as never, [
    { op: "replace", path: "/spec/replicas", value: 5 },
    { op: "add", path: "/metadata/labels/a~1b", value: "c" },
    { op: "remove", path: "/spec/template/spec/containers/1" },
    { op: "test", path: "/spec/replicas", value: 5 },
  ]) as typeof deployment;
  assert.equal(out.spec.replicas, 5);
  assert.equal((out.metadata.labels as Record<string, string>)["a/b"], "c");
  assert.equal(out.spec.template.spec.containers.length, 1);
  assert.throws(
    () => jsonPatch(deployment as never, [{ op: "test", path: "/spec/replicas", value: 3 }]),
    PatchError,
  );
});
