import { test } from "node:test";
import assert from "node:assert/strict";
import { CommanderError } from "commander";
import { buildProgram, commanderExitCode, expandHyphenated } from "../../../src/cli/program.js";
import { parseAssignments, parseKeyValues } from "../../../src/cli/options.js";
import { envSetForm } from "../../../src/cli/commands/env.js";
import { encodeForm } from "../../../src/cli/client/http.js";
import { CliError } from "../../../src/cli/errors.js";

const silent = { writeOut: () => {}, writeErr: () => {} };

/** Parses argv with the real command tree; returns the exit code commander's outcome maps to. */
async function parseExit(...args: string[]): Promise<number> {
  try {
    await (await buildProgram(silent)).parseAsync(["node", "wharf", ...args]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    if (err instanceof CliError) return err.exitCode;
    throw err;
  }
}

test("parseAssignments splits NAME=value at the first = only", () => {
  assert.deepEqual(parseAssignments(["A=1", "B=x=y", "C="]), [
    { name: "A", value: "1" },
    { name: "B", value: "x=y" },
    { name: "C", value: "" },
  ]);
});

test("parseAssignments rejects an argument without = as a usage error", () => {
  assert.throws(
    () => parseAssignments(["NOEQUALS"]),
    (e: unknown) => e instanceof CliError && e.exitCode === 2 && /NAME=value/.test(e.message),
  );
  assert.throws(() => parseAssignments(["=value"]), CliError);
});

test("parseKeyValues turns repeated k=v options into a map", () => {
  assert.deepEqual(parseKeyValues(["a=b", "c=d=e"], "router option"), { a: "b", c: "d=e" });
  assert.throws(() => parseKeyValues(["bad"], "router option"), /router option/);
});

test("env set form uses tsuru's ajg/form keys, empty strings for false flags", () => {
  const form = envSetForm(parseAssignments(["FOO=bar", "BAZ=a=b"]), false, false);
  assert.equal(
    encodeForm(form),
    "Envs.0.Name=FOO&Envs.0.Value=bar&Envs.1.Name=BAZ&Envs.1.Value=a%3Db&NoRestart=&Private=",
  );
});

test("env set form sends true for -p and --no-restart", () => {
  assert.equal(
    encodeForm(envSetForm([{ name: "S", value: "x" }], true, true)),
    "Envs.0.Name=S&Envs.0.Value=x&NoRestart=true&Private=true",
  );
});

test("a missing required argument is a usage error: exit code 2", async () => {
  assert.equal(await parseExit("app", "create"), 2);
  assert.equal(await parseExit("target", "add", "onlylabel"), 2);
});

test("an unknown option or command is a usage error: exit code 2", async () => {
  assert.equal(await parseExit("app", "list", "--bogus"), 2);
  assert.equal(await parseExit("nosuchtopic"), 2);
});

test("excess arguments are a usage error: exit code 2", async () => {
  assert.equal(await parseExit("team", "info", "a", "b"), 2);
});

test("--help and --version exit 0", async () => {
  assert.equal(await parseExit("--help"), 0);
  assert.equal(await parseExit("app", "create", "--help"), 0);
  assert.equal(await parseExit("--version"), 0);
});

test("pool update accepts only true or false for --public and --default", async () => {
  assert.equal(await parseExit("pool", "update", "p1", "--public", "maybe"), 2);
});

test("every read command accepts --json", async () => {
  const program = await buildProgram(silent);
  const reads = [
    "target list",
    "user info",
    "user list",
    "team list",
    "team info",
    "role list",
    "role info",
    "permission list",
    "token list",
    "token info",
    "pool list",
    "pool constraint list",
    "platform list",
    "platform info",
    "plan list",
    "app list",
    "app info",
    "env get",
    "event list",
    "event info",
  ];
  for (const path of reads) {
    let cmd = program;
    for (const name of path.split(" ")) {
      const next = cmd.commands.find((c) => c.name() === name);
      assert.ok(next, `command ${path} exists`);
      cmd = next;
    }
    assert.ok(
      cmd.options.some((o) => o.long === "--json"),
      `${path} has --json`,
    );
  }
});

test("commands that act on an app take -a/--app", async () => {
  const program = await buildProgram(silent);
  for (const path of [
    "app info",
    "app update",
    "app remove",
    "app grant",
    "app revoke",
    "env get",
    "env set",
    "env unset",
    "cname add",
    "cname remove",
  ]) {
    const [topic, sub] = path.split(" ");
    const cmd = program.commands.find((c) => c.name() === topic)?.commands.find((c) => c.name() === sub);
    assert.ok(
      cmd?.options.some((o) => o.short === "-a" && o.long === "--app"),
      `${path} has -a`,
    );
  }
});

test("tsuru's hyphenated command names expand to the topic grammar", async () => {
  const program = await buildProgram(silent);
  assert.deepEqual(expandHyphenated(program, ["app-create", "web", "python"]), [
    "app",
    "create",
    "web",
    "python",
  ]);
  assert.deepEqual(expandHyphenated(program, ["pool-constraint-set", "*", "team", "a"]), [
    "pool",
    "constraint",
    "set",
    "*",
    "team",
    "a",
  ]);
  assert.deepEqual(expandHyphenated(program, ["user-change-password"]), ["user", "change-password"]);
  assert.deepEqual(expandHyphenated(program, ["--target", "x", "env-get", "-a", "w"]), [
    "--target",
    "x",
    "env",
    "get",
    "-a",
    "w",
  ]);
});

test("hyphenated expansion leaves real commands, unknown names and arguments alone", async () => {
  const program = await buildProgram(silent);
  assert.deepEqual(expandHyphenated(program, ["app", "create", "my-app"]), ["app", "create", "my-app"]);
  assert.deepEqual(expandHyphenated(program, ["app-frobnicate-list"]), ["app-frobnicate-list"]);
  assert.deepEqual(expandHyphenated(program, ["--help"]), ["--help"]);
});
