// kill -9 durability of the embedded SQLite store: every write acknowledged before the crash is
// present after reopening, the file is intact, migrations are a no-op and stale events close.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { openStore } from "../../../src/store/index.js";
import { sqliteMigrations } from "../../../src/store/migrations/sqlite/index.js";

/** Every schema version, applied once (the same numbers on both dialects). */
const ALL_VERSIONS = sqliteMigrations.map((m) => m.version);

const writer = fileURLToPath(new URL("./fixtures/durability-writer.ts", import.meta.url));

it("sqlite: acknowledged writes survive kill -9 during 100 concurrent mutations", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-durability-"));
  const path = join(dir, "wharf.db");
  try {
    const child = spawn(process.execPath, ["--import", "tsx", writer, path], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acked: number[] = [];
    const killAt = 400 + Math.floor(Math.random() * 400);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_c, sig) => resolve(sig)),
    );
    for await (const line of createInterface({ input: child.stdout })) {
      const m = /^ack (\d+)$/.exec(line);
      if (m) acked.push(Number(m[1]));
      if (acked.length === killAt) child.kill("SIGKILL");
    }
    assert.equal(await exited, "SIGKILL", "the writer must die by SIGKILL, not finish or crash");
    assert.ok(acked.length >= killAt);

    // The file opens cleanly and is consistent.
    const raw = new Database(path);
    assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
    raw.close();

    const store = await openStore({ kind: "sqlite", path });
    try {
      assert.deepEqual(await store.migrationVersions(), ALL_VERSIONS);
      const emails = new Set((await store.listUsers()).map((u) => u.email));
      const missing = acked.filter((n) => !emails.has(`u${n}@x`));
      assert.deepEqual(missing, [], `acknowledged writes lost: ${missing.slice(0, 10).join(", ")}`);
      // Transactions are all-or-nothing: every change row has its user and vice versa.
      const changes = await store.changesSince(0, 100_000);
      for (const c of changes) assert.ok(emails.has(`u${(c.payload as { n: number }).n}@x`));
      const txUsers = [...emails].filter((e) => Number(/^u(\d+)@x$/.exec(e)?.[1]) % 3 === 0);
      assert.equal(changes.length, txUsers.length);
      // Events the dead process left running are closed on start and their locks freed.
      const running = await store.listEvents({ running: true, limit: 1000 });
      assert.ok(running.length > 0);
      const closed = await store.closeStaleEvents();
      assert.equal(closed.length, running.length);
      assert.deepEqual(await store.listEvents({ running: true }), []);
      const target = running[0]!.target;
      const again = await store.createEvent({
        kind: { type: "permission", name: "app.deploy" },
        target,
        owner: { type: "user", name: "x" },
        lock: true,
      });
      assert.equal(again.running, true);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
