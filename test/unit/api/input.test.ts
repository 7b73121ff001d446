import { test } from "node:test";
import assert from "node:assert/strict";
import { Input } from "../../../src/api/input.js";
import { stripVersion, redactUrl } from "../../../src/api/server.js";
import { WharfError } from "../../../src/domain/errors.js";
import { FailureLimiter } from "../../../src/domain/rate-limit.js";

test("version prefixes are stripped: any /<digits and dots> segment", () => {
  assert.equal(stripVersion("/1.0/apps"), "/apps");
  assert.equal(stripVersion("/1.7/tokens/x"), "/tokens/x");
  assert.equal(stripVersion("/1.0/apps?"), "/apps?");
  assert.equal(stripVersion("/apps"), "/apps");
  assert.equal(stripVersion("/1.0"), "/");
  assert.equal(stripVersion("/10.2.3/x"), "/x");
  assert.equal(stripVersion("/1.0apps"), "/1.0apps");
});

test("secret query values are redacted from logged URLs", () => {
  assert.equal(
    redactUrl("/users/a@b.c/password?token=abc&x=1"),
    "/users/a@b.c/password?token=[REDACTED]&x=1",
  );
  assert.equal(redactUrl("/x?password=p"), "/x?password=[REDACTED]");
});

test("form keys are case-insensitive; repeated and indexed keys make lists", () => {
  const i = new Input({ TeamOwner: "blue", tag: ["a", "b"], "Values.1": "y", "Values.0": "x" }, {});
  assert.equal(i.str("teamowner"), "blue");
  assert.deepEqual(i.list("tag"), ["a", "b"]);
  assert.deepEqual(i.list("values"), ["x", "y"]);
});

test("ajg/form indexed objects and dotted maps", () => {
  const i = new Input(
    {
      "Envs.0.Name": "A",
      "Envs.0.Value": "1",
      "Envs.1.Name": "B",
      "Envs.1.Value": "x=y",
      "routeropts.Key": "v",
    },
    {},
  );
  assert.deepEqual(i.objects("envs"), [
    { name: "A", value: "1" },
    { name: "B", value: "x=y" },
  ]);
  assert.deepEqual(i.map("routeropts"), { Key: "v" });
});

test("JSON bodies flatten to the same keys as forms", () => {
  const i = new Input(
    { name: "t1", tags: ["a", "b"], envs: [{ name: "A", value: "1" }], expires_in: 60, regenerate: true },
    {},
  );
  assert.equal(i.str("name"), "t1");
  assert.deepEqual(i.list("tags"), ["a", "b"]);
  assert.deepEqual(i.objects("envs"), [{ name: "A", value: "1" }]);
  assert.equal(i.int("expires_in", 0), 60);
  assert.equal(i.bool("regenerate"), true);
});

test("empty strings mean unset/false; bad booleans and ints are 400s naming the field", () => {
  const i = new Input({ NoRestart: "", Private: "maybe", limit: "ten" }, {});
  assert.equal(i.bool("NoRestart"), false);
  assert.equal(i.boolOrNull("NoRestart"), null);
  assert.throws(
    () => i.bool("Private"),
    (e: WharfError) => e.status === 400 && /Private/.test(e.message),
  );
  assert.throws(
    () => i.int("limit", 0),
    (e: WharfError) => e.status === 400 && /limit/.test(e.message),
  );
});

test("a JSON body that is not an object is a 400", () => {
  assert.throws(
    () => new Input([1, 2], {}),
    (e: WharfError) => e.status === 400,
  );
  assert.throws(
    () => new Input("str", {}),
    (e: WharfError) => e.status === 400,
  );
});

test("query values are read too (tsuru reads form or query)", () => {
  const i = new Input(undefined, { env: ["A", "B"], noRestart: "true" });
  assert.deepEqual(i.list("env"), ["A", "B"]);
  assert.equal(i.bool("noRestart"), true);
});

test("login failure limiter blocks after max failures within the window and forgets after it", () => {
  const l = new FailureLimiter(1000);
  for (let t = 0; t < 3; t++) l.fail("user:a", t);
  assert.equal(l.blockedFor("user:a", 4, 10), 0);
  l.fail("user:a", 10);
  assert.ok(l.blockedFor("user:a", 4, 10) > 0);
  assert.equal(l.blockedFor("user:a", 4, 2000), 0);
  l.fail("user:b", 0);
  l.reset("user:b");
  assert.equal(l.blockedFor("user:b", 1, 1), 0);
});
