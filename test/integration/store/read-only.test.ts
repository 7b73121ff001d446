// A store opened read-only (what `wharf dev cluster` uses to see which nodes a server here has
// registered) reads what the server committed, refuses every write, migrates nothing and takes
// no lock the server would wait on. PostgreSQL part needs WHARF_TEST_PG_URL.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import { openStore } from "../../../src/store/index.js";

describe("read-only store (sqlite)", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-store-ro-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("reads what the writer commits while both are open, rejects writes, never blocks the writer", async () => {
    const path = join(dir, "wharf.db");
    const writer = await openStore({ kind: "sqlite", path });
    const ro = await openStore({ kind: "sqlite", path, readOnly: true });
    try {
      await writer.createPool({ name: "p1", isDefault: true });
      assert.deepEqual(
        (await ro.listPools()).map((p) => p.name),
        ["p1"],
      );
      await assert.rejects(ro.createPool({ name: "p2" }), /opened read-only/);
      await assert.rejects(
        ro.tx((t) => t.createPool({ name: "p2" })),
        /opened read-only/,
      );
      await writer.createPool({ name: "p3" });
      assert.deepEqual((await ro.listPools()).map((p) => p.name).sort(), ["p1", "p3"]);
    } finally {
      await ro.close();
      await writer.close();
    }
  });

  test("a missing file is an error and no file is created", async () => {
    const path = join(dir, "absent.db");
    await assert.rejects(openStore({ kind: "sqlite", path, readOnly: true }));
    assert.equal(existsSync(path), false);
  });

  test("runs no migration: an empty database stays empty", async () => {
    const path = join(dir, "empty.db");
    writeFileSync(path, "");
    const ro = await openStore({ kind: "sqlite", path, readOnly: true });
    try {
      await assert.rejects(ro.listNodes(), /no such table/);
    } finally {
      await ro.close();
    }
    assert.equal(statSync(path).size, 0);
  });
});

const url = process.env.WHARF_TEST_PG_URL;
describe("read-only store (postgres)", () => {
  test("reads a schema its server migrated, PostgreSQL refuses every write, a new schema is not created", async (t) => {
    if (!url) {
      t.skip(
        "WHARF_TEST_PG_URL is not set: run `export WHARF_TEST_PG_URL=$(scripts/setup-postgres.sh | tail -n1)`",
      );
      return;
    }
    const schema = `wharf_test_ro_${process.pid}_${randomBytes(4).toString("hex")}`;
    const absent = `${schema}_absent`;
    const writer = await openStore({ kind: "postgres", url, schema, poolSize: 2 });
    const ro = await openStore({ kind: "postgres", url, schema, readOnly: true, poolSize: 1 });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await writer.createPool({ name: "p1", isDefault: true });
      assert.deepEqual(
        (await ro.listPools()).map((p) => p.name),
        ["p1"],
      );
      await assert.rejects(ro.createPool({ name: "p2" }), /read-only transaction/);
      await assert.rejects(
        ro.tx((tx) => tx.createPool({ name: "p2" })),
        /read-only transaction/,
      );
      const missing = await openStore({ kind: "postgres", url, schema: absent, readOnly: true, poolSize: 1 });
      await assert.rejects(missing.listNodes(), /does not exist/);
      await missing.close();
      const found = await c.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [absent]);
      assert.equal(found.rowCount, 0);
    } finally {
      await ro.close();
      await writer.close();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  });
});
