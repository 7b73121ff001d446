// Group commit with a CommitSync: when readers may see a batch and when it is acknowledged.
import assert from "node:assert/strict";
import { it } from "node:test";
import Database from "better-sqlite3";
import { SqliteExecutor } from "../../../src/store/sqlite/executor.js";
import { type CommitSync, GroupCommitter } from "../../../src/store/sqlite/group-commit.js";

/** A CommitSync whose flush completes only when the test says so; records the call order. */
function controlledSync() {
  const calls: string[] = [];
  const flushes: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const sync: CommitSync = {
    hold: () => void calls.push("hold"),
    flush: () =>
      new Promise<void>((resolve, reject) => {
        calls.push("flush");
        flushes.push({ resolve, reject });
      }),
    release: () => void calls.push("release"),
  };
  return { sync, calls, flushes };
}

function setup(sync: CommitSync) {
  const conn = new Database(":memory:");
  conn.exec("CREATE TABLE t (v INTEGER PRIMARY KEY)");
  const gc = new GroupCommitter(
    conn,
    new SqliteExecutor(conn),
    async () => void conn.exec("BEGIN IMMEDIATE"),
    sync,
  );
  return { conn, gc };
}

const tick = () => new Promise((r) => setImmediate(r));

it("a batch is acknowledged only after its flush, with readers held from before COMMIT until then", async () => {
  const { sync, calls, flushes } = controlledSync();
  const { conn, gc } = setup(sync);
  let acked = false;
  const p = gc.run((db) => db.run("INSERT INTO t (v) VALUES (1)")).then(() => (acked = true));
  await tick();
  assert.deepEqual(calls, ["hold", "flush"]);
  assert.equal(conn.inTransaction, false, "COMMIT ran before the flush");
  assert.equal(acked, false, "acknowledged before the flush completed");
  flushes[0]!.resolve();
  await p;
  assert.deepEqual(calls, ["hold", "flush", "release"]);
});

it("transactions queued while a flush runs share the next batch", async () => {
  const { sync, flushes } = controlledSync();
  const { conn, gc } = setup(sync);
  const first = gc.run((db) => db.run("INSERT INTO t (v) VALUES (1)"));
  await tick();
  const rest = Array.from({ length: 5 }, (_, i) =>
    gc.run((db) => db.run("INSERT INTO t (v) VALUES (?)", [10 + i])),
  );
  await tick();
  assert.equal(flushes.length, 1, "the next batch must wait for the previous flush");
  flushes[0]!.resolve();
  await first;
  while (flushes.length < 2) await tick();
  flushes[1]!.resolve();
  await Promise.all(rest);
  assert.equal(gc.batches, 2);
  assert.equal((conn.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n, 6);
});

it("a failed flush acknowledges nothing, keeps readers held and refuses later writes", async () => {
  const { sync, calls, flushes } = controlledSync();
  const { gc } = setup(sync);
  const p = gc.run((db) => db.run("INSERT INTO t (v) VALUES (1)"));
  await tick();
  flushes[0]!.reject(new Error("EIO"));
  await assert.rejects(p, /could not be synced to disk \(EIO\)/);
  assert.ok(!calls.includes("release"), "readers must not see a batch that may not be on disk");
  await assert.rejects(
    gc.run((db) => db.run("INSERT INTO t (v) VALUES (2)")),
    /writes are refused until the server is restarted/,
  );
});
