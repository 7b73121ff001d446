import assert from "node:assert/strict";
import { it } from "node:test";
import { ConflictError } from "../../../src/store/errors.js";
import { EVENT_ID_RE, newEventId } from "../../../src/store/ids.js";
import { checkMigrations } from "../../../src/store/migrations/types.js";
import { postgresMigrations } from "../../../src/store/migrations/postgres/index.js";
import { sqliteMigrations } from "../../../src/store/migrations/sqlite/index.js";
import { mapPgError, toDollar } from "../../../src/store/postgres/executor.js";
import { Where, bool, fromJson, likeEscape } from "../../../src/store/sql/db.js";
import { mapSqliteError } from "../../../src/store/sqlite/executor.js";

it("toDollar numbers placeholders in order", () => {
  assert.equal(toDollar("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
});

it("Where builds clauses, and an empty IN list matches nothing", () => {
  const w = new Where().add("a = ?", 1).in("b", ["x", "y"]);
  assert.equal(String(w), "WHERE a = ? AND b IN (?, ?)");
  assert.deepEqual(w.params, [1, "x", "y"]);
  assert.equal(String(new Where().in("b", [])), "WHERE 1 = 0");
  assert.equal(String(new Where()), "");
});

it("likeEscape escapes wildcards and the escape character", () => {
  assert.equal(likeEscape("a%b_c\\d"), "a\\%b\\_c\\\\d");
});

it("bool and fromJson read both dialects' encodings", () => {
  assert.equal(bool(1), true);
  assert.equal(bool(true), true);
  assert.equal(bool(0), false);
  assert.equal(bool(false), false);
  assert.deepEqual(fromJson('["a"]', []), ["a"]);
  assert.deepEqual(fromJson("not json", []), []);
});

it("event ids look like ObjectIds and start with the time", () => {
  const id = newEventId(new Date(0x5d93463a * 1000));
  assert.match(id, EVENT_ID_RE);
  assert.ok(id.startsWith("5d93463a"));
  assert.notEqual(newEventId(), newEventId());
});

it("migrations are numbered 1..n with no gaps, for both dialects alike", () => {
  assert.deepEqual(
    sqliteMigrations.map((m) => m.version),
    postgresMigrations.map((m) => m.version),
  );
  assert.throws(() => checkMigrations([{ version: 2, name: "x", sql: "" }]), /expected version 1/);
});

it("driver errors for constraint violations become ConflictError; others pass through", () => {
  assert.ok(
    mapSqliteError(Object.assign(new Error("x"), { code: "SQLITE_CONSTRAINT_UNIQUE" })) instanceof
      ConflictError,
  );
  assert.ok(mapPgError({ code: "23505", detail: "Key (name)=(a) already exists." }) instanceof ConflictError);
  const other = new Error("boom");
  assert.equal(mapPgError(other), other);
  assert.equal(mapSqliteError(other), other);
});
