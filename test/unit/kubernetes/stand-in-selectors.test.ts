// The stand-in API server's label and field selectors follow Kubernetes' grammar and
// semantics (the adapter's queries must mean on it what they mean on a real server).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from "../../support/kube/selectors.js";

const l = { app: "web", "tsuru.io/pool": "main", tier: "" };

test("equality selectors: =, == and != (which also matches objects without the key)", () => {
  assert.ok(matchesLabels(parseLabelSelector("app=web"), l));
  assert.ok(matchesLabels(parseLabelSelector("app==web,tsuru.io/pool=main"), l));
  assert.ok(!matchesLabels(parseLabelSelector("app=api"), l));
  assert.ok(matchesLabels(parseLabelSelector("app!=api"), l));
  assert.ok(matchesLabels(parseLabelSelector("missing!=x"), l));
  assert.ok(matchesLabels(parseLabelSelector("tier="), l));
});

test("set-based selectors: in, notin, exists and !exists", () => {
  assert.ok(matchesLabels(parseLabelSelector("app in (api, web)"), l));
  assert.ok(!matchesLabels(parseLabelSelector("app notin (api,web)"), l));
  assert.ok(matchesLabels(parseLabelSelector("missing notin (a)"), l));
  assert.ok(!matchesLabels(parseLabelSelector("missing in (a)"), l));
  assert.ok(matchesLabels(parseLabelSelector("tsuru.io/pool,!missing"), l));
  assert.ok(!matchesLabels(parseLabelSelector("!app"), l));
  assert.ok(matchesLabels(parseLabelSelector("app in (web),tier"), l));
});

test("an empty selector matches everything; malformed ones are refused", () => {
  assert.ok(matchesLabels(parseLabelSelector(""), {}));
  for (const bad of ["app in ()", "-bad=x", "app=,", "a b"])
    assert.throws(() => parseLabelSelector(bad), SelectorError, bad);
});

test("field selectors accept only the resource's field labels and compare as strings", () => {
  const pod = {
    metadata: { name: "p1", namespace: "ns" },
    spec: { nodeName: "node-1" },
    status: { phase: "Running" },
  };
  const fields = ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"];
  assert.ok(matchesFields(parseFieldSelector("spec.nodeName=node-1", fields), pod));
  assert.ok(matchesFields(parseFieldSelector("metadata.name=p1,status.phase!=Failed", fields), pod));
  assert.ok(!matchesFields(parseFieldSelector("spec.nodeName==node-2", fields), pod));
  assert.throws(() => parseFieldSelector("spec.foo=x", fields), /field label not supported: spec.foo/);
});
