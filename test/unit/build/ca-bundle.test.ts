import { test } from "node:test";
import assert from "node:assert/strict";
import { injectCaBundle } from "../../../src/build/ca-bundle.js";

test("the bundle is installed right after every FROM, before any RUN of that stage", () => {
  const out = injectCaBundle("FROM a AS build\nRUN npm ci\nfrom b\nRUN pip install x\n").split("\n");
  assert.equal(out[0], "FROM a AS build");
  assert.match(out[1]!, /^COPY \.wharf-ca-bundle\.crt \/etc\/ssl\/certs\/ca-certificates\.crt$/);
  assert.match(out[2]!, /NODE_EXTRA_CA_CERTS=.*PIP_CERT=/);
  assert.equal(out[3], "RUN npm ci");
  assert.equal(out[4], "from b");
  assert.match(out[5]!, /^COPY /);
});

test("a Dockerfile without FROM is returned unchanged", () => {
  assert.equal(injectCaBundle("RUN true"), "RUN true");
});
