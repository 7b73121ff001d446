// Fast smoke test of the SQLite store in memory (the full suite runs in test/integration/store).
import assert from "node:assert/strict";
import { it } from "node:test";
import { ConflictError, LockedError, openStore } from "../../../src/store/index.js";
import { startEventHeartbeat, staleBefore } from "../../../src/events/index.js";
import { sqliteMigrations } from "../../../src/store/migrations/sqlite/index.js";

/** Every schema version, applied once (the same numbers on both dialects). */
const ALL_VERSIONS = sqliteMigrations.map((m) => m.version);

it("an in-memory SQLite store migrates, enforces uniqueness and locks", async () => {
  const store = await openStore({ kind: "sqlite", path: ":memory:" });
  try {
    assert.deepEqual(await store.migrationVersions(), ALL_VERSIONS);
    await store.createTeam({ name: "t", creatorEmail: "a@b.c" });
    await assert.rejects(store.createTeam({ name: "t", creatorEmail: "a@b.c" }), ConflictError);
    const spec = {
      kind: { type: "permission" as const, name: "app.update" },
      target: { type: "app", value: "x" },
      owner: { type: "user" as const, name: "a@b.c" },
      lock: true,
      instanceId: "me",
    };
    const e = await store.createEvent(spec);
    await assert.rejects(store.createEvent(spec), LockedError);
    const hb = startEventHeartbeat(store, "me", 5);
    await new Promise((r) => setTimeout(r, 30));
    hb.stop();
    assert.ok((await store.getEvent(e.id)).lockUpdateTime.getTime() > e.lockUpdateTime.getTime());
    assert.deepEqual(await store.closeStaleEvents({ heartbeatBefore: staleBefore(5, 3, new Date(0)) }), []);
    assert.deepEqual(await store.closeStaleEvents({ instanceId: "me" }), [e.id]);
  } finally {
    await store.close();
  }
});
