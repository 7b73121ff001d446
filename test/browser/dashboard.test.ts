// The dashboard in Debian's Chromium against a real `wharf server` on the 3-node test
// cluster: every flow of issue 19's "Done means", in the order a team lives them. The tests
// share one server, cluster and browser (fixture.ts), so each builds on the one before;
// each saves a screenshot of its final page under test-output/browser/.
import { after, before, describe } from "node:test";
import { closeFixture, openFixture, type Fixture } from "./fixture.js";
import { appFlows } from "./app-flows.js";
import { liveFlows } from "./live-flows.js";
import { operatorFlows } from "./operator-flows.js";

describe("dashboard in Chromium", () => {
  const f: { current?: Fixture } = {};
  before(async () => {
    f.current = await openFixture();
  });
  after(async () => {
    await closeFixture(f.current);
  });
  const get = (): Fixture => {
    if (!f.current) throw new Error("the browser fixture did not start");
    return f.current;
  };
  appFlows(get);
  liveFlows(get);
  operatorFlows(get);
});
