import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as names from "../../../src/domain/names.js";
import { WharfError } from "../../../src/domain/errors.js";
import {
  choosePool,
  isPublic,
  allowedValues,
  checkPlanAllowed,
  type PoolConstraint,
} from "../../../src/domain/pools.js";
import { parseMemory, choosePlan } from "../../../src/domain/plans.js";
import { maskEnv, validateEnvSet, MASK } from "../../../src/domain/env.js";
import { checkCanAdd, checkNewLimit, parseLimit } from "../../../src/domain/quota.js";
import {
  hashPassword,
  verifyPassword,
  hashToken,
  newToken,
  newObjectId,
  isObjectId,
} from "../../../src/domain/secrets.js";

const status = (n: number) => (e: unknown) =>
  e instanceof WharfError && e.status === n && e.message.length > 10;

test("app names follow tsuru's ^[a-z][a-z0-9-]{0,39}$", () => {
  for (const ok of ["a", "my-app", "a1", "a".repeat(40)]) names.validateAppName(ok);
  for (const bad of ["", "1a", "A", "my_app", "a".repeat(41), "-a", "a b", "ação"])
    assert.throws(() => names.validateAppName(bad), status(400), bad);
});

test("app name validation agrees with the regex for arbitrary strings", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 50 }), (s) => {
      assert.equal(names.isValidAppName(s), /^[a-z][a-z0-9-]{0,39}$/.test(s));
    }),
  );
});

test("pool, platform, team, env and cname names", () => {
  names.validatePoolName("pool-1");
  assert.throws(() => names.validatePoolName("Pool"), status(400));
  names.validatePlatformName("python");
  assert.throws(() => names.validatePlatformName("py_thon"), status(400));
  names.validateTeamName("Team_1.x@y");
  assert.throws(() => names.validateTeamName("1team"), status(400));
  assert.throws(() => names.validateTeamName("a b"), status(400));
  names.validateEnvName("FOO_bar-1");
  assert.throws(() => names.validateEnvName("1FOO"), status(400));
  names.validateCname("*.example.com");
  assert.throws(() => names.validateCname("bad cname"), status(400));
  names.validateEmail("a@b.co");
  assert.throws(() => names.validateEmail("a@b"), status(400));
  assert.throws(() => names.validatePassword("123"), status(400));
});

const pools = [
  { name: "default", default: true, provisioner: "" },
  { name: "blue-pool", default: false, provisioner: "" },
  { name: "red-pool", default: false, provisioner: "" },
];
const cons: PoolConstraint[] = [
  { poolExpr: "default", field: "team", values: ["*"], blacklist: false },
  { poolExpr: "blue-pool", field: "team", values: ["blue"], blacklist: false },
  { poolExpr: "red-pool", field: "team", values: ["red"], blacklist: false },
  { poolExpr: "red-pool", field: "plan", values: ["big"], blacklist: true },
];

test("pool choice: the team's own pool, else the default pool", () => {
  assert.equal(choosePool("", "blue", pools, cons).name, "blue-pool");
  assert.equal(choosePool("", "green", pools, cons).name, "default");
  assert.equal(choosePool("default", "blue", pools, cons).name, "default");
});

test("pool choice refuses another team's pool and unknown pools", () => {
  assert.throws(() => choosePool("red-pool", "blue", pools, cons), status(400));
  assert.throws(() => choosePool("nope", "blue", pools, cons), status(404));
  assert.throws(() => choosePool("", "green", pools.slice(1), cons), status(400));
});

test("pool choice with two own pools asks the user to choose", () => {
  const c2 = [
    ...cons,
    { poolExpr: "red-pool", field: "team" as const, values: ["blue"], blacklist: false },
  ].filter((c) => !(c.poolExpr === "red-pool" && c.values[0] === "red"));
  assert.throws(
    () => choosePool("", "blue", pools, c2),
    (e: WharfError) => /Please choose one/.test(e.message),
  );
});

test("public pools, allowed lists and most specific constraints", () => {
  assert.ok(isPublic("default", cons));
  assert.ok(!isPublic("blue-pool", cons));
  assert.deepEqual(allowedValues("blue-pool", "team", ["blue", "red"], cons), ["blue"]);
  const glob: PoolConstraint[] = [
    { poolExpr: "*", field: "team", values: ["x"], blacklist: false },
    { poolExpr: "blue-*", field: "team", values: ["y"], blacklist: false },
  ];
  assert.deepEqual(allowedValues("blue-pool", "team", ["x", "y"], glob), ["y"]);
  assert.throws(() => checkPlanAllowed("red-pool", "big", cons), status(400));
  checkPlanAllowed("red-pool", "small", cons);
});

test("plan memory parses bytes and K/M/G suffixes", () => {
  assert.equal(parseMemory("128M", "memory"), 128 * 1024 * 1024);
  assert.equal(parseMemory("1G", "memory"), 1024 ** 3);
  assert.equal(parseMemory("512", "memory"), 512);
  assert.equal(parseMemory("", "memory"), 0);
  assert.throws(() => parseMemory("12T", "memory"), status(400));
  assert.throws(() => choosePlan("nope", []), status(400));
});

test("private env values are masked and env-set validates names", () => {
  const out = maskEnv([
    { name: "A", value: "1", public: true },
    { name: "S", value: "secret", public: false },
  ]);
  assert.equal(out[0]?.value, "1");
  assert.equal(out[1]?.value, MASK);
  assert.throws(() => validateEnvSet([]), status(400));
  assert.throws(() => validateEnvSet([{ name: "1X", value: "" }]), status(400));
  assert.throws(() => validateEnvSet([{ name: "TSURU_SERVICES", value: "" }]), status(400));
});

test("quota: unlimited, exceeded and new limit below use", () => {
  checkCanAdd({ limit: -1, inuse: 100 }, 1, "user");
  checkCanAdd({ limit: 2, inuse: 1 }, 1, "user");
  assert.throws(() => checkCanAdd({ limit: 2, inuse: 2 }, 1, "user"), status(403));
  assert.throws(() => checkNewLimit(1, 2), status(403));
  assert.equal(parseLimit("-1"), -1);
  assert.throws(() => parseLimit("x"), status(400));
});

test("passwords hash with scrypt and verify; tokens hash deterministically", async () => {
  const h = await hashPassword("s3cret!!");
  assert.match(h, /^scrypt\$/);
  assert.ok(!h.includes("s3cret"));
  assert.ok(await verifyPassword("s3cret!!", h));
  assert.ok(!(await verifyPassword("wrong", h)));
  assert.ok(!(await verifyPassword("x", "garbage")));
  const t = newToken();
  assert.equal(t.length, 64);
  assert.equal(hashToken(t), hashToken(t));
  assert.notEqual(hashToken(t), t);
  // Stored token hashes are sha256 hex: a different digest would lock every existing token out.
  assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.ok(isObjectId(newObjectId()));
});
