// The reconciler leadership on a real PostgreSQL: two stores on one schema stand for two
// servers; exactly one leads, and the other takes over when the leader's session ends.
// Needs WHARF_TEST_PG_URL; skipped, loudly, without it.
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { pino } from "pino";
import { openStore } from "../../../src/store/index.js";
import type { Store } from "../../../src/store/types.js";
import { followLeadership } from "../../../src/reconcile/leader.js";

const url = process.env.WHARF_TEST_PG_URL;
const log = pino({ level: "silent" });

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting until ${what}`);
}

if (!url) {
  describe("reconciler leadership (postgres)", () => {
    it("needs a PostgreSQL server", (t) => t.skip("WHARF_TEST_PG_URL is not set"));
  });
} else {
  const schema = `wharf_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const open = () => openStore({ kind: "postgres", url, schema, poolSize: 2 });
  const stores: Store[] = [];

  after(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  describe("reconciler leadership (postgres)", () => {
    it("one of two servers leads; the other gets null until the leader releases", async () => {
      const [a, b] = [await open(), await open()];
      stores.push(a, b);
      const la = await a.tryLeadership("reconciler");
      assert.ok(la, "the first server leads");
      assert.equal(await b.tryLeadership("reconciler"), null, "the second does not");
      assert.ok(await b.tryLeadership("other-work"), "a different name is a different leadership");
      await la.release();
      const lb = await b.tryLeadership("reconciler");
      assert.ok(lb, "after the release the second server can lead");
      await lb.release();
    });

    it("a follower takes over and runs lead() when the leader's session is killed", async () => {
      const [a, b] = [await open(), await open()];
      stores.push(a, b);
      const events: string[] = [];
      const hooks = (who: string) => ({
        lead: async () => void events.push(`${who} leads`),
        yield: async () => void events.push(`${who} yields`),
      });
      const fa = await followLeadership(a, hooks("a"), { log, retryMs: 50 });
      const fb = await followLeadership(b, hooks("b"), { log, retryMs: 50 });
      assert.equal(fa.leading, true);
      assert.equal(fb.leading, false);
      assert.deepEqual(events, ["a leads"]);
      // What a crash looks like to PostgreSQL: the leader's session goes away.
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const k = (await c.query<{ k: number }>("SELECT hashtext($1) AS k", [`${schema}:leader:reconciler`]))
        .rows[0]!.k;
      const key = BigInt.asUintN(64, BigInt(k));
      const killed = await c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = $1::bigint::oid AND objid = $2::bigint::oid`,
        [String(key >> 32n), String(key & 0xffffffffn)],
      );
      await c.end();
      assert.equal(killed.rowCount, 1, "the leader's session held the lock");
      await until("b leads", () => fb.leading);
      await until("a saw the loss", () => events.includes("a yields"));
      assert.equal(fa.leading, false, "a server whose session died no longer leads");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(fa.leading, false);
      assert.deepEqual(
        events.filter((e) => e.endsWith("leads")),
        ["a leads", "b leads"],
      );
      await fb.stop();
      await until("a takes over after b stops", () => fa.leading);
      await fa.stop();
    });
  });
}
