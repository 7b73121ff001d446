import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, statSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  activateTargetToken,
  readTargets,
  readToken,
  resolveTarget,
  saveToken,
  setCurrentTarget,
  writeTargets,
} from "../../../src/cli/config.js";

function home() {
  return { WHARF_HOME: mkdtempSync(join(tmpdir(), "wharf-home-")) } as Record<string, string | undefined>;
}

test("targets round-trip through the targets file", () => {
  const env = home();
  writeTargets(
    new Map([
      ["a", "http://a:1"],
      ["b", "https://b"],
    ]),
    env,
  );
  assert.deepEqual(
    [...readTargets(env)],
    [
      ["a", "http://a:1"],
      ["b", "https://b"],
    ],
  );
});

test("the current target file gives the URL and its label", () => {
  const env = home();
  writeTargets(new Map([["prod", "http://prod:8080"]]), env);
  setCurrentTarget("http://prod:8080", env);
  assert.deepEqual(resolveTarget(env), { url: "http://prod:8080", label: "prod" });
});

test("WHARF_TARGET overrides the current target and may be a label", () => {
  const env = home();
  writeTargets(new Map([["stage", "http://stage"]]), env);
  setCurrentTarget("http://other", env);
  assert.equal(resolveTarget({ ...env, WHARF_TARGET: "stage" }).url, "http://stage");
  assert.equal(resolveTarget({ ...env, WHARF_TARGET: "http://direct:9" }).url, "http://direct:9");
});

test("TSURU_TARGET and TSURU_TOKEN are honoured when WHARF_* are unset", () => {
  const env = { ...home(), TSURU_TARGET: "http://t:1", TSURU_TOKEN: "tk" };
  const t = resolveTarget(env);
  assert.equal(t.url, "http://t:1");
  assert.equal(readToken(t, env), "tk");
  assert.equal(readToken(t, { ...env, WHARF_TOKEN: "wk" }), "wk");
});

test("no target is an error that says to run wharf target add", () => {
  assert.throws(() => resolveTarget(home()), /wharf target add/);
});

test("tokens are stored per target, owner-only, and follow target set", () => {
  const env = home();
  writeTargets(
    new Map([
      ["a", "http://a"],
      ["b", "http://b"],
    ]),
    env,
  );
  saveToken({ url: "http://a", label: "a" }, "token-a", env);
  saveToken({ url: "http://b", label: "b" }, "token-b", env);
  assert.equal(readToken({ url: "http://a", label: "a" }, env), "token-a");
  assert.equal(readToken({ url: "http://b", label: "b" }, env), "token-b");
  assert.equal(statSync(join(env.WHARF_HOME!, "token.d", "a")).mode & 0o777, 0o600);
  activateTargetToken("a", env);
  assert.equal(readFileSync(join(env.WHARF_HOME!, "token"), "utf8").trim(), "token-a");
});
