// Two servers on one PostgreSQL: a follower connected to one sees the lines the other
// ingested (read from the store, not only from its own memory), and history reads are the
// store's. Needs WHARF_TEST_PG_URL; skipped, loudly, without it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openStore } from "../../../src/store/open.js";
import { LogHub } from "../../../src/logs/hub.js";
import type { AppLogRecord } from "../../../src/store/types.js";

const url = process.env.WHARF_TEST_PG_URL;

test(
  "a follower on one server gets lines another server stored",
  { skip: url ? false : "WHARF_TEST_PG_URL is not set" },
  async () => {
    const schema = `wharf_logs_${process.pid}_${randomBytes(3).toString("hex")}`;
    const a = await openStore({ kind: "postgres", url: url!, schema, poolSize: 2 });
    const b = await openStore({ kind: "postgres", url: url!, schema, poolSize: 2 });
    try {
      await a.createUser({ email: "a@example.com", passwordHash: "x" });
      await a.createTeam({ name: "t1", creatorEmail: "a@example.com" });
      await a.createPool({ name: "p1", isDefault: true });
      await a.createPlatform({ name: "python" });
      await a.createPlan({ name: "small", memory: 0, swap: 0, cpuMilli: 0, cpuShare: 100, isDefault: true });
      await a.createApp({
        name: "web",
        platform: "python",
        plan: "small",
        pool: "p1",
        teamOwner: "t1",
        owner: "a@example.com",
      });
      const hubA = new LogHub({ store: a, historyLines: 100, shared: true, pollMs: 50 });
      const hubB = new LogHub({ store: b, historyLines: 100, shared: true, pollMs: 50 });
      const line = (m: string) => ({ app: "web", date: new Date(), message: m, source: "web", unit: "u1" });
      await hubA.append([line("before")]);
      const got: AppLogRecord[] = [];
      const stop = hubB.subscribe("web", {}, (l) => got.push(...l));
      // The follower starts after the newest stored line: "before" is history, not news.
      await new Promise((r) => setTimeout(r, 200));
      await hubA.append([line("one"), line("two")]);
      await hubB.append([line("three")]);
      for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        got.map((l) => l.message),
        ["one", "two", "three"],
      );
      assert.deepEqual(
        (await hubB.recent("web", 10)).map((l) => l.message),
        ["before", "one", "two", "three"],
      );
      stop();
      hubA.close();
      hubB.close();
    } finally {
      await a.close();
      await b.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  },
);
