// The CLI loads only the topic a command line names (start-up time); these prove that the
// topic table says truthfully which top-level commands each topic adds, and that a command
// parsed with its topic alone sees the same command tree as with every topic loaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { topics, topicsFor } from "../../../src/cli/topics.js";
import { buildProgram, expandHyphenated } from "../../../src/cli/program.js";

const silent = { writeOut: () => {}, writeErr: () => {} };
const GLOBALS = ["--target", "--verbosity"];

test("each topic's names are exactly the top-level commands its modules register", async () => {
  const owners = new Map<string, string>();
  for (const t of topics) {
    const p = new Command("wharf");
    for (const register of await t.load()) register(p);
    const added = p.commands.flatMap((c) => [c.name(), ...c.aliases()]).sort();
    assert.deepEqual(added, [...t.names].sort(), `topic ${t.names.join(",")}`);
    for (const n of added) {
      assert.equal(owners.get(n), undefined, `${n} is claimed by two topics`);
      owners.set(n, t.names[0]!);
    }
  }
});

test("a command line loads only the topic its first word names, skipping global options", () => {
  const names = (args: string[]) => topicsFor(args, GLOBALS).map((t) => t.names[0]);
  assert.deepEqual(names(["unit", "add", "1", "-a", "x"]), ["unit"]);
  assert.deepEqual(names(["--target", "http://h:1", "app", "deploy", "."]), ["app"]);
  assert.deepEqual(names(["--verbosity", "2", "--target=http://h:1", "pool", "list"]), ["pool"]);
  assert.deepEqual(names(["permission", "list"]), ["role"]);
  assert.deepEqual(names(["logout"]), ["login"]);
});

test("tsuru's hyphenated names load the topic of their first part", () => {
  const names = (args: string[]) => topicsFor(args, GLOBALS).map((t) => t.names[0]);
  assert.deepEqual(names(["app-deploy", "-a", "x", "."]), ["app"]);
  assert.deepEqual(names(["service-instance-add", "db", "x"]), ["service"]);
  assert.deepEqual(names(["unit-add", "1"]), ["unit"]);
});

test("help, unknown words and a bare command line load every topic; --version loads none", () => {
  assert.equal(topicsFor([], GLOBALS).length, topics.length);
  assert.equal(topicsFor(["--help"], GLOBALS).length, topics.length);
  assert.equal(topicsFor(["help"], GLOBALS).length, topics.length);
  assert.equal(topicsFor(["aap", "list"], GLOBALS).length, topics.length);
  assert.equal(topicsFor(["change-password"], GLOBALS).length, topics.length);
  assert.deepEqual(topicsFor(["--version"], GLOBALS), []);
  assert.deepEqual(topicsFor(["-V"], GLOBALS), []);
  assert.equal(topicsFor(["--version", "--help"], GLOBALS).length, topics.length);
});

test("hyphenated commands expand the same with only their topic loaded as with all", async () => {
  const full = await buildProgram(silent);
  for (const line of [
    ["app-create", "web", "python"],
    ["app-deploy-list", "-a", "x"],
    ["unit-add", "2", "-a", "x"],
    ["service-instance-add", "db", "inst"],
    ["pool-constraint-set", "p", "team", "t"],
    ["role-permission-add", "r", "app.read"],
    ["--target", "http://h:1", "env-set", "A=1", "-a", "x"],
  ]) {
    const partial = await buildProgram(silent, line);
    assert.deepEqual(expandHyphenated(partial, line), expandHyphenated(full, line), line.join(" "));
    assert.ok(partial.commands.length < full.commands.length, `${line.join(" ")} loaded every topic`);
  }
});
