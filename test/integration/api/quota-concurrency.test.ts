// App quotas under concurrency, through the API on both stores: N simultaneous POST /apps
// by one user with quota Q create exactly Q apps, the others get 403 with a sentence, the
// quota shows Q in use, and removing an app frees a place.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { call, harness, loginAs, world, type Harness, type World } from "./helpers.js";

const N = 40;
const Q = 7;

const stores: ("sqlite" | "postgres")[] = ["sqlite"];
if (process.env.WHARF_TEST_PG_URL) stores.push("postgres");
else console.log("PostgreSQL run skipped: set WHARF_TEST_PG_URL=$(cat /var/lib/wharf-test-pg/url)");

for (const kind of stores) {
  describe(`app quotas on ${kind}`, () => {
    let h: Harness;
    let w: World;
    let carol = "";
    before(async () => {
      h = await harness({}, { store: kind });
      w = await world(h.app);
      const admin = { token: w.admin };
      assert.equal(
        (
          await call(h.app, "POST", "/1.0/users", {
            ...admin,
            form: { email: "carol@example.com", password: "secret-pw" },
          })
        ).status,
        201,
      );
      carol = await loginAs(h.app, "carol@example.com", "secret-pw");
      assert.equal(
        (await call(h.app, "POST", "/1.0/teams", { token: carol, json: { name: "green" } })).status,
        201,
      );
      const q = await call(h.app, "PUT", "/1.0/users/carol@example.com/quota", {
        ...admin,
        form: { limit: String(Q) },
      });
      assert.equal(q.status, 200, q.body);
    });
    after(async () => h.close());

    const create = (name: string, token = carol, team = "green") =>
      call(h.app, "POST", "/1.0/apps", { token, form: { name, platform: "python", teamOwner: team } });

    // Which creations win the race is up to the store (on PostgreSQL any of them may).
    let winners: string[] = [];
    test(`${N} concurrent creations by a user with quota ${Q} create exactly ${Q} apps`, async () => {
      const results = await Promise.all(Array.from({ length: N }, (_, i) => create(`green-${i}`)));
      const created = results.filter((r) => r.status === 201);
      winners = results.flatMap((r, i) => (r.status === 201 ? [`green-${i}`] : []));
      const refused = results.filter((r) => r.status !== 201);
      assert.equal(created.length, Q, JSON.stringify(results.map((r) => r.status)));
      for (const r of refused) {
        assert.equal(r.status, 403, r.body);
        assert.match(r.body, /Quota exceeded: user "carol@example.com" uses 7 of 7/);
      }
      const apps = (await call(h.app, "GET", "/1.0/apps", { token: carol })).json() as unknown[];
      assert.equal(apps.length, Q, "refused creations left no app behind");
      const quota = await call(h.app, "GET", "/1.0/users/carol@example.com/quota", { token: carol });
      assert.deepEqual(quota.json(), { limit: Q, inuse: Q });
    });

    test("removing an app frees one place, and only one of several racing creations takes it", async () => {
      assert.ok(winners.length > 0, "the first test created apps");
      const gone = await call(h.app, "DELETE", `/1.0/apps/${winners[0]}`, { token: carol });
      assert.equal(gone.status, 200, gone.body);
      const race = await Promise.all(Array.from({ length: 10 }, (_, i) => create(`again-${i}`)));
      assert.equal(race.filter((r) => r.status === 201).length, 1, JSON.stringify(race.map((r) => r.status)));
      const quota = await call(h.app, "GET", "/1.0/users/carol@example.com/quota", { token: carol });
      assert.deepEqual(quota.json(), { limit: Q, inuse: Q });
    });

    test("an unlimited user's concurrent creations all succeed, and a lower limit than the apps is refused", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => create(`blue-x${i}`, w.alice, "blue")),
      );
      assert.deepEqual(new Set(results.map((r) => r.status)), new Set([201]));
      const q = await call(h.app, "PUT", "/1.0/users/alice@example.com/quota", {
        token: w.admin,
        form: { limit: "3" },
      });
      assert.ok(q.status >= 400 && q.status < 500, `${q.status} ${q.body}`);
      const now = await call(h.app, "GET", "/1.0/users/alice@example.com/quota", { token: w.alice });
      assert.deepEqual(now.json(), { limit: -1, inuse: 21 });
    });
  });
}
