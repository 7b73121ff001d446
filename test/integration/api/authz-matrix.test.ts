// Every route the server registers, called as: admin; member of the owning team; member of
// another team; no token; a garbage token; a removed (logged out) token. Asserts the exact
// status, that no body shown to a non-admin names the other team, and that a refused call
// never reaches a node's engine or the service API. A route registered without a case
// here fails the coverage test, so routes added later can't slip through.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { REFUSED, S, WHO, setUp, tearDown, type Case, type Who } from "./authz/setup.js";
import { identityCases, logoutCase } from "./authz/cases-identity.js";
import { platformCases } from "./authz/cases-platform.js";
import { appCases } from "./authz/cases-apps.js";
import { serviceCases } from "./authz/cases-services.js";
import { clusterCases } from "./authz/cases-cluster.js";
import { logCases } from "./authz/cases-logs.js";
import { surfaceCases } from "./authz/cases-surface.js";
import { dockerCases } from "./authz/cases-docker.js";
import { metricsCases } from "./authz/cases-metrics.js";

const cases: Case[] = [
  ...identityCases,
  ...platformCases,
  ...appCases,
  ...serviceCases,
  ...clusterCases,
  ...logCases,
  ...surfaceCases,
  ...dockerCases,
  ...metricsCases,
  logoutCase,
];

before(() => setUp());
after(tearDown);

test("authorization matrix: every registered route has a case, and every case a registered route", () => {
  const registered = new Set(S.h.app.routeTable.map((r) => `${r.method} ${r.url}`));
  const covered = new Set(cases.flatMap((c) => c.routes));
  const missing = [...registered].filter((r) => !covered.has(r));
  const stale = [...covered].filter((r) => !registered.has(r));
  assert.deepEqual(missing, [], `routes without an authorization case: ${missing.join(", ")}`);
  assert.deepEqual(stale, [], `cases for routes the server does not register: ${stale.join(", ")}`);
  assert.ok(registered.size >= 110, `the cluster routes are registered (${registered.size} routes)`);
});

const leaks: Partial<Record<Who, RegExp>> = { member: /crimson|bob@/i, outsider: /azure|alice@/i };
// Documents that describe the API or the process, not any team's objects.
const NO_TEAM_DATA = new Set(["GET /openapi.json", "GET /metrics"]);

let counter = 0;
for (const c of cases) {
  const title = `${c.routes.join(" + ")}${c.note ? ` (${c.note})` : ""}`;
  test(`authorization matrix: ${title}`, async () => {
    for (const who of WHO) {
      const n = `${++counter}`;
      await c.prepare?.(n, who);
      const engineBefore = S.h.connector.engineCalls;
      const brokerBefore = S.api.seen.length;
      const r = await c.run(S.tokens[who], who, n);
      const want = c.expect[who] ?? c.anon ?? 401;
      assert.equal(r.status, want, `${title} as ${who}: got ${r.status} ${r.body.slice(0, 300)}`);
      if (r.status >= 400)
        assert.ok(r.body.endsWith("\n") && r.body.length > 5, `${who}: error body is a sentence`);
      const engine = S.h.connector.engineCalls - engineBefore;
      const broker = S.api.seen.length - brokerBefore;
      if (REFUSED.includes(who) && r.status >= 400) {
        assert.equal(engine, 0, `${title} as ${who}: refused, yet a node's engine was called`);
        assert.equal(broker, 0, `${title} as ${who}: refused, yet the service API was called`);
      }
      if (c.engine?.includes(who)) assert.ok(engine > 0, `${title} as ${who}: the engine was reached`);
      if (c.broker?.includes(who)) assert.ok(broker > 0, `${title} as ${who}: the service API was reached`);
      const leak = leaks[who];
      if (leak && !c.routes.some((x) => NO_TEAM_DATA.has(x))) {
        const body = (c.echo ?? []).reduce((b, e) => b.split(`"${e}"`).join('""'), r.body);
        assert.ok(!leak.test(body), `${title} as ${who} leaks: ${r.body.slice(0, 300)}`);
      }
    }
  });
}
