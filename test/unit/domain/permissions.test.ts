import { test } from "node:test";
import assert from "node:assert/strict";
import {
  appContexts,
  check,
  contextValues,
  listPermissionSchemes,
  schemeContexts,
  type Permission,
} from "../../../src/domain/permissions.js";
import {
  builtinRoles,
  expandPermissions,
  validatePermissionForRole,
  bindingFor,
} from "../../../src/domain/roles.js";
import { WharfError } from "../../../src/domain/errors.js";

const perm = (scheme: string, type: Permission["context"]["type"], value = ""): Permission => ({
  scheme,
  context: { type, value },
});

test("permission list starts with the root entry named empty string", () => {
  const list = listPermissionSchemes();
  assert.equal(list[0]?.name, "");
  assert.deepEqual(list[0]?.contexts, ["global"]);
  const names = list.map((p) => p.name);
  for (const n of [
    "app",
    "app.create",
    "app.deploy",
    "app.update.env.set",
    "app.read",
    "pool.create",
    "node.create",
    "team.create",
    "user.create",
    "role.create",
  ])
    assert.ok(names.includes(n), n);
});

test("every permission's parent appears before it so the client can build the tree", () => {
  const names = listPermissionSchemes().map((p) => p.name);
  names.forEach((n, i) => {
    if (n === "") return;
    const parent = n.includes(".") ? n.slice(0, n.lastIndexOf(".")) : "";
    const pi = names.indexOf(parent);
    assert.ok(pi >= 0 && pi < i, `${n} parent ${parent}`);
  });
});

test("contexts are inherited by children and overridden where tsuru overrides them", () => {
  assert.deepEqual(schemeContexts("app"), ["global", "app", "team", "pool"]);
  assert.deepEqual(schemeContexts("app.update.env.set"), ["global", "app", "team", "pool"]);
  assert.deepEqual(schemeContexts("app.create"), ["global", "team"]);
  assert.deepEqual(schemeContexts("team.create"), ["global"]);
  assert.deepEqual(schemeContexts("pool.create"), ["global"]);
  assert.deepEqual(schemeContexts("node.create"), ["global", "pool"]);
});

test("a permission on a parent grants its children but not siblings", () => {
  const perms = [perm("app.update", "team", "blue")];
  const app = appContexts({ name: "web", teams: ["blue"], pool: "p1" });
  assert.ok(check(perms, "app.update.env.set", app));
  assert.ok(!check(perms, "app.deploy", app));
  assert.ok(!check(perms, "app.updatex", app));
});

test("root permission in global context grants everything", () => {
  assert.ok(check([perm("", "global")], "node.create"));
  assert.ok(check([perm("", "global")], "app.deploy", appContexts({ name: "x", teams: [], pool: "p" })));
});

test("a team-scoped permission does not reach another team's app", () => {
  const perms = [perm("app", "team", "blue")];
  assert.ok(!check(perms, "app.read", appContexts({ name: "x", teams: ["red"], pool: "p" })));
  assert.ok(check(perms, "app.read", appContexts({ name: "x", teams: ["red", "blue"], pool: "p" })));
});

test("app and pool contexts match by value", () => {
  assert.ok(
    check([perm("app.read", "app", "x")], "app.read", appContexts({ name: "x", teams: [], pool: "p" })),
  );
  assert.ok(
    !check([perm("app.read", "app", "y")], "app.read", appContexts({ name: "x", teams: [], pool: "p" })),
  );
  assert.ok(check([perm("app", "pool", "p")], "app.read", appContexts({ name: "x", teams: [], pool: "p" })));
});

test("team member default role gives the team's app permissions", () => {
  const roles = new Map(builtinRoles().map((r) => [r.name, r]));
  const perms = expandPermissions(
    [{ name: "team-member", contextType: "team", contextValue: "blue" }],
    roles,
  );
  assert.ok(check(perms, "app.deploy", appContexts({ name: "a", teams: ["blue"], pool: "p" })));
  assert.ok(check(perms, "app.create", [{ type: "team", value: "blue" }]));
  assert.ok(!check(perms, "app.create", [{ type: "team", value: "red" }]));
  assert.ok(!check(perms, "pool.create"));
  assert.deepEqual(contextValues(perms, "app.create", "team"), ["blue"]);
});

test("adding a permission not valid in the role's context is a 409", () => {
  const role = builtinRoles().find((r) => r.name === "team-member")!;
  assert.throws(
    () => validatePermissionForRole(role, "pool.create"),
    (e: WharfError) => e.status === 409,
  );
  assert.throws(
    () => validatePermissionForRole(role, "nope.nope"),
    (e: WharfError) => e.status === 400,
  );
  validatePermissionForRole(role, "app.deploy");
});

test("binding a team role needs a context value", () => {
  const role = builtinRoles().find((r) => r.name === "team-member")!;
  assert.throws(
    () => bindingFor(role, ""),
    (e: WharfError) => e.status === 400 && /team/.test(e.message),
  );
  assert.deepEqual(bindingFor(role, "blue"), {
    name: "team-member",
    contextType: "team",
    contextValue: "blue",
  });
});
