// The SQLite commit path on a real file: WalSync holds readers on the pre-commit snapshot, the
// store's readers see a write once it is acknowledged, WAL checkpoints run in a worker, and
// transactions queued together share one COMMIT.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import Database from "better-sqlite3";
import { openStore } from "../../../src/store/index.js";
import { Checkpointer } from "../../../src/store/sqlite/checkpointer.js";
import { SqliteExecutor } from "../../../src/store/sqlite/executor.js";
import { GroupCommitter } from "../../../src/store/sqlite/group-commit.js";
import { WalSync } from "../../../src/store/sqlite/wal-sync.js";

function tempDb(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "wharf-commit-path-"));
  return { path: join(dir, "w.db"), done: () => rmSync(dir, { recursive: true, force: true }) };
}

it("WalSync keeps the read connection on the snapshot from before COMMIT until release", async () => {
  const { path, done } = tempDb();
  const writer = new Database(path);
  writer.pragma("journal_mode = WAL");
  writer.exec("CREATE TABLE t (v INTEGER)");
  const reader = new Database(path, { readonly: true });
  const sync = new WalSync(`${path}-wal`);
  sync.attachReader(reader);
  const count = () => (reader.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n;
  try {
    sync.hold();
    writer.exec("INSERT INTO t VALUES (1)");
    await sync.flush();
    assert.equal(count(), 0, "a held reader saw the new commit");
    sync.release();
    assert.equal(count(), 1);
  } finally {
    await sync.close();
    reader.close();
    writer.close();
    done();
  }
});

it("the checkpoint worker copies committed WAL frames into the database file", async () => {
  const { path, done } = tempDb();
  const writer = new Database(path);
  writer.pragma("journal_mode = WAL");
  writer.exec("CREATE TABLE t (v TEXT)");
  const cp = new Checkpointer(writer, path, { intervalMs: 1 });
  try {
    assert.equal(writer.pragma("wal_autocheckpoint", { simple: true }), 0);
    for (let i = 0; i < 200; i++) writer.prepare("INSERT INTO t VALUES (?)").run("x".repeat(500));
    cp.committed();
    const deadline = Date.now() + 10_000;
    while (!(cp.last && cp.last.log > 0 && cp.last.checkpointed === cp.last.log) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(cp.failure, null);
    assert.ok(cp.last && cp.last.log > 0, "no checkpoint ran");
    assert.equal(cp.last.checkpointed, cp.last.log);
  } finally {
    await cp.close();
    writer.close();
    done();
  }
});

it("a write the store acknowledged is visible to its readers at once", async () => {
  const { path, done } = tempDb();
  const store = await openStore({ kind: "sqlite", path });
  try {
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await store.createUser({ email: `u${i}@x`, passwordHash: "h" });
        assert.ok(await store.findUser(`u${i}@x`), `u${i} not visible after its acknowledgement`);
      }),
    );
  } finally {
    await store.close();
    done();
  }
});

it("transactions queued in one turn of the event loop share one COMMIT, with no flush to gather them", async () => {
  // As requests do: each transaction is started from its own callback in the same turn (one
  // socket's data each), and runs entirely in microtasks. Under synchronous=NORMAL there is no
  // flush during which others queue, so each would otherwise COMMIT alone.
  const { path, done } = tempDb();
  const conn = new Database(path);
  conn.pragma("journal_mode = WAL");
  conn.pragma("synchronous = NORMAL");
  conn.exec("CREATE TABLE t (v INTEGER)");
  const committer = new GroupCommitter(conn, new SqliteExecutor(conn), async () => {
    conn.exec("BEGIN IMMEDIATE");
  });
  try {
    const writes = await new Promise<Promise<unknown>[]>((resolve) => {
      const started: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++)
        setImmediate(() => {
          started.push(committer.run((db) => db.run("INSERT INTO t VALUES (?)", [i])));
          if (started.length === 20) resolve(started);
        });
    });
    await Promise.all(writes);
    assert.equal((conn.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n, 20);
    assert.equal(committer.batches, 1, `20 transactions took ${committer.batches} COMMITs`);
  } finally {
    conn.close();
    done();
  }
});
