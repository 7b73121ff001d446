// The adapter's label selector strings and the router's view of EndpointSlices: a
// LabelSelector written as a query means what the object means (read back by the
// stand-in's parser, which follows Kubernetes' grammar), and only ready endpoints of the
// named port become backends.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1EndpointSlice } from "@kubernetes/client-node";
import { readyBackends } from "../../../src/cluster/kubernetes/endpointslices.js";
import { selectorString } from "../../../src/cluster/kubernetes/selectors.js";
import { matchesLabels, parseLabelSelector } from "../../support/kube/selectors.js";

test("a LabelSelector becomes the query a 1.24 server parses: matchLabels and every set operator", () => {
  const s = selectorString({
    matchLabels: { "tsuru.io/app-name": "web", "tsuru.io/app-process": "worker" },
    matchExpressions: [
      { key: "tier", operator: "In", values: ["a", "b"] },
      { key: "zone", operator: "NotIn", values: ["z9"] },
      { key: "tsuru.io/pool", operator: "Exists" },
      { key: "canary", operator: "DoesNotExist" },
    ],
  });
  assert.equal(
    s,
    "tsuru.io/app-name=web,tsuru.io/app-process=worker,tier in (a,b),zone notin (z9),tsuru.io/pool,!canary",
  );
  const reqs = parseLabelSelector(s);
  const base = {
    "tsuru.io/app-name": "web",
    "tsuru.io/app-process": "worker",
    tier: "b",
    zone: "z1",
    "tsuru.io/pool": "main",
  };
  assert.equal(matchesLabels(reqs, base), true);
  assert.equal(matchesLabels(reqs, { ...base, tier: "c" }), false, "In");
  assert.equal(matchesLabels(reqs, { ...base, zone: "z9" }), false, "NotIn");
  const { "tsuru.io/pool": _pool, ...withoutPool } = base;
  assert.equal(matchesLabels(reqs, withoutPool), false, "Exists");
  assert.equal(matchesLabels(reqs, { ...base, canary: "yes" }), false, "DoesNotExist");
});

test("a plain label map is a matchLabels selector; no selector is the empty query", () => {
  assert.equal(selectorString({ app: "web", pool: "main" }), "app=web,pool=main");
  assert.equal(selectorString(undefined), "");
  assert.equal(selectorString({ matchLabels: {} }), "");
});

const slice = (
  name: string,
  ports: { name?: string; port: number }[],
  endpoints: NonNullable<V1EndpointSlice["endpoints"]>,
): V1EndpointSlice => ({ addressType: "IPv4", metadata: { name }, ports, endpoints });

test("only ready endpoints are backends; an endpoint without a ready condition counts as ready", () => {
  const b = readyBackends(
    [
      slice(
        "web-a",
        [{ name: "http", port: 8888 }],
        [
          {
            addresses: ["127.77.0.3"],
            conditions: { ready: true },
            targetRef: { name: "p3" },
            nodeName: "n1",
          },
          { addresses: ["127.77.0.2"], conditions: { ready: false, serving: true, terminating: true } },
          { addresses: ["127.77.0.1"] },
        ],
      ),
    ],
    "http",
  );
  assert.deepEqual(b, [
    { ip: "127.77.0.1", port: 8888 },
    { ip: "127.77.0.3", port: 8888, pod: "p3", node: "n1" },
  ]);
});

test("backends come from every slice of the Service, on the named port, sorted by address", () => {
  const b = readyBackends(
    [
      slice(
        "web-b",
        [
          { name: "metrics", port: 9100 },
          { name: "http", port: 8080 },
        ],
        [{ addresses: ["127.77.1.9"], conditions: { ready: true } }],
      ),
      slice(
        "web-a",
        [{ name: "http", port: 8888 }],
        [{ addresses: ["127.77.1.1"], conditions: { ready: true } }],
      ),
      slice("web-c", [], [{ addresses: ["127.77.1.5"], conditions: { ready: true } }]),
    ],
    "http",
  );
  assert.deepEqual(
    b.map((x) => `${x.ip}:${x.port}`),
    ["127.77.1.1:8888", "127.77.1.9:8080"],
    "a slice without ports has no backend to offer",
  );
});

test("the unnamed port is the one without a name, or the only one; a slice without the named port offers none", () => {
  const ep = [{ addresses: ["127.77.2.1"] }];
  assert.deepEqual(readyBackends([slice("s", [{ port: 80 }], ep)]), [{ ip: "127.77.2.1", port: 80 }]);
  assert.deepEqual(readyBackends([slice("s", [{ name: "web", port: 81 }], ep)]), [
    { ip: "127.77.2.1", port: 81 },
  ]);
  assert.deepEqual(
    readyBackends([slice("s", [{ name: "metrics", port: 9100 }], ep)], "http"),
    [],
    "traffic for http never goes to the metrics port",
  );
  assert.deepEqual(
    readyBackends([
      slice(
        "s",
        [
          { name: "a", port: 1 },
          { name: "b", port: 2 },
        ],
        ep,
      ),
    ]),
    [],
    "with several named ports, the unnamed one is not guessed",
  );
});
