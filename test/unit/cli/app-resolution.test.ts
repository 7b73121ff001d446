import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findLinkedApp, linkApp, resolveApp } from "../../../src/cli/options.js";
import { CliError } from "../../../src/cli/errors.js";

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "wharf-app-"));
}

test("resolveApp prefers the -a value over any linked app", () => {
  const dir = tmp();
  linkApp("linked", dir);
  assert.equal(resolveApp("explicit", dir), "explicit");
});

test("resolveApp reads .wharf/app in the current directory", () => {
  const dir = tmp();
  linkApp("myapp", dir);
  assert.equal(resolveApp(undefined, dir), "myapp");
});

test("resolveApp walks up parent directories to find the link", () => {
  const dir = tmp();
  linkApp("parent-app", dir);
  const deep = join(dir, "a", "b", "c");
  mkdirSync(deep, { recursive: true });
  assert.equal(resolveApp(undefined, deep), "parent-app");
});

test("resolveApp honours a tsuru-style .tsuru_app marker", () => {
  const dir = tmp();
  writeFileSync(join(dir, ".tsuru_app"), "tsuru-app\n");
  const sub = join(dir, "src");
  mkdirSync(sub);
  assert.equal(resolveApp(undefined, sub), "tsuru-app");
});

test("the nearest marker wins over one further up", () => {
  const dir = tmp();
  linkApp("outer", dir);
  const inner = join(dir, "inner");
  mkdirSync(inner);
  writeFileSync(join(inner, ".tsuru_app"), "inner-app");
  assert.equal(findLinkedApp(inner)?.app, "inner-app");
});

test("an empty marker file is ignored", () => {
  const dir = tmp();
  mkdirSync(join(dir, ".wharf"));
  writeFileSync(join(dir, ".wharf", "app"), "  \n");
  assert.equal(findLinkedApp(dir), undefined);
});

test("resolveApp without -a or link is a usage error (exit 2) that says how to fix it", () => {
  const dir = tmp();
  assert.throws(
    () => resolveApp(undefined, dir),
    (err: unknown) =>
      err instanceof CliError && err.exitCode === 2 && /wharf app link NAME/.test(err.message),
  );
});

test("linkApp writes the app name to .wharf/app", () => {
  const dir = tmp();
  const file = linkApp("web", dir);
  assert.equal(file, join(dir, ".wharf", "app"));
  assert.equal(readFileSync(file, "utf8"), "web\n");
});
