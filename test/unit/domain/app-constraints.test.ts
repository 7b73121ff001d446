import assert from "node:assert/strict";
import { test } from "node:test";
import { validateConstraints } from "../../../src/domain/services/app-constraints.js";
import { BadRequestError } from "../../../src/domain/errors.js";

test("app constraints accept Swarm's operators, soft expressions, globs and regexes", () => {
  assert.deepEqual(
    validateConstraints([" zone==a ", "storagedriver==~overlay2", "node!=/n[12]/", "kernelversion==5.*"]),
    ["zone==a", "storagedriver==~overlay2", "node!=/n[12]/", "kernelversion==5.*"],
  );
});

test("malformed or unknown-operator constraints are 400s naming the expression and the fix", () => {
  for (const bad of ["zone=a", "zone>a", "==a", "", "zone==/[/"]) {
    assert.throws(
      () => validateConstraints([bad]),
      (e: unknown) =>
        e instanceof BadRequestError &&
        e.status === 400 &&
        /Invalid constraint/.test(e.message) &&
        /key==value/.test(e.message),
      `expected ${JSON.stringify(bad)} to be refused`,
    );
  }
});

test("more than 32 constraints are refused", () => {
  assert.throws(() => validateConstraints(Array.from({ length: 33 }, (_, i) => `k${i}==v`)), /at most 32/);
});
