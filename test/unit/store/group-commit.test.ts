import assert from "node:assert/strict";
import { it } from "node:test";
import Database from "better-sqlite3";
import { SqliteExecutor } from "../../../src/store/sqlite/executor.js";
import { GroupCommitter } from "../../../src/store/sqlite/group-commit.js";

function setup() {
  const conn = new Database(":memory:");
  conn.exec("CREATE TABLE t (v INTEGER PRIMARY KEY)");
  const writer = new SqliteExecutor(conn);
  let begins = 0;
  const gc = new GroupCommitter(conn, writer, async () => {
    begins++;
    conn.exec("BEGIN IMMEDIATE");
  });
  return { conn, gc, begins: () => begins };
}

it("concurrent transactions share one commit; a failing one rolls back alone", async () => {
  const { conn, gc, begins } = setup();
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      gc.run(async (db) => {
        await db.run("INSERT INTO t (v) VALUES (?)", [i]);
        await db.run("INSERT INTO t (v) VALUES (?)", [100 + i]);
        if (i === 4) throw new Error("fail 4");
        return i;
      }),
    ),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    results.map((_, i) => (i === 4 ? "rejected" : "fulfilled")),
  );
  assert.ok(begins() <= 2, `expected batching, got ${begins()} transactions`);
  const rows = conn.prepare("SELECT v FROM t ORDER BY v").all() as { v: number }[];
  assert.equal(rows.length, 18);
  assert.ok(!rows.some((r) => r.v === 4 || r.v === 104));
  assert.equal(conn.inTransaction, false);
});

it("after-commit callbacks run only for transactions that were kept", async () => {
  const { gc } = setup();
  const fired: number[] = [];
  await Promise.allSettled(
    [1, 2].map((n) =>
      gc.run(async (db) => {
        db.afterCommit(() => fired.push(n));
        if (n === 2) throw new Error("no");
      }),
    ),
  );
  assert.deepEqual(fired, [1]);
});

it("a constraint error inside one transaction does not poison the batch", async () => {
  const { conn, gc } = setup();
  await gc.run(async (db) => db.run("INSERT INTO t (v) VALUES (1)"));
  const [a, b] = await Promise.allSettled([
    gc.run(async (db) => db.run("INSERT INTO t (v) VALUES (1)")),
    gc.run(async (db) => db.run("INSERT INTO t (v) VALUES (2)")),
  ]);
  assert.equal(a.status, "rejected");
  assert.equal(b.status, "fulfilled");
  assert.equal((conn.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n, 2);
  await gc.idle();
});
