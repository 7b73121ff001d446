// What a tenant may not ask of a node's bridge when it creates a network through the endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { networkBodyRefusals } from "../../../src/dockerapi/networks.js";

test("a network as docker-compose and `docker network create` send it passes", () => {
  assert.deepEqual(
    networkBodyRefusals({
      Name: "proj_default",
      Driver: null,
      Options: {},
      IPAM: { Driver: "default", Config: [], Options: {} },
      Internal: false,
      Labels: { "com.docker.compose.project": "proj" },
      CheckDuplicate: true,
    }),
    [],
  );
  assert.deepEqual(networkBodyRefusals({ Name: "n" }), []);
});

test("driver options, own subnets, another IPAM driver and config-only networks are each refused with a sentence", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { Options: { "com.docker.network.bridge.name": "docker0" } },
      /driver options \(com\.docker\.network\.bridge\.name\) are refused/,
    ],
    [{ IPAM: { Config: [{ Subnet: "10.213.7.0/24" }] } }, /subnets, ranges and gateways of your own/],
    [{ IPAM: { Driver: "dhcp" } }, /IPAM driver dhcp is refused/],
    [{ ConfigOnly: true }, /ConfigOnly networks are not supported/],
    [{ Ingress: true }, /Ingress networks are not supported/],
    [{ ConfigFrom: { Network: "other" } }, /ConfigFrom networks are not supported/],
  ];
  for (const [body, want] of cases) {
    const r = networkBodyRefusals({ Name: "n", ...body });
    assert.equal(r.length, 1, JSON.stringify(body));
    assert.match(r[0]!, want);
  }
});
