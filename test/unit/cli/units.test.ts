// The units table of `wharf app info` and the unit count check of `unit add/remove`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderUnits, unitAddress, unitNode } from "../../../src/cli/commands/unit-table.js";
import { unitCount } from "../../../src/cli/commands/unit.js";
import { buildProgram, expandHyphenated } from "../../../src/cli/program.js";
import { CliError } from "../../../src/cli/errors.js";

test("unit node: a named node first, then HostAddr, then tsuru's IP (the node's host)", () => {
  assert.equal(unitNode({ Node: "node-2", IP: "10.0.0.2" }), "node-2");
  assert.equal(unitNode({ HostAddr: "10.0.0.3", IP: "172.17.0.4" }), "10.0.0.3");
  assert.equal(unitNode({ IP: "10.0.0.5" }), "10.0.0.5");
});

test("unit address: Addresses[0].Host, else Address.Host (a URL object on the wire)", () => {
  assert.equal(unitAddress({ Addresses: [{ Host: "10.0.0.5:1" }, { Host: "10.0.0.5:2" }] }), "10.0.0.5:1");
  assert.equal(unitAddress({ Address: { Scheme: "http", Host: "10.0.0.5:32768" } }), "10.0.0.5:32768");
  assert.equal(unitAddress({}), "");
});

test("units table: id shortened to 12, grouped by process, units without an ID left out", () => {
  const out = renderUnits([
    { ID: "bbbbbbbbbbbbbbbb", ProcessName: "worker", IP: "10.0.0.3", Status: "started" },
    { ID: "", ProcessName: "web", Status: "created" },
    {
      ID: "aaaaaaaaaaaaaaaa",
      ProcessName: "web",
      IP: "10.0.0.2",
      Status: "starting",
      Address: { Host: "10.0.0.2:40001" },
    },
  ]);
  const lines = out.split("\n");
  assert.equal(lines[0], "Units: 2");
  const rows = lines.filter((l) => /^\| [ab]{12} /.test(l));
  assert.equal(rows.length, 2);
  assert.match(rows[0]!, /^\| aaaaaaaaaaaa \| web +\| 10\.0\.0\.2 \| 10\.0\.0\.2:40001 \| starting \|$/);
  assert.match(rows[1]!, /^\| bbbbbbbbbbbb \| worker +\| 10\.0\.0\.3 \| +\| started +\|$/);
});

test("units table from a Wharf server: restarts and the last exit's reason and time as two more columns", () => {
  const at = new Date(2024, 0, 2, 3, 4, 5).toISOString();
  const out = renderUnits([
    {
      ID: "cccccccccccccccc",
      ProcessName: "worker",
      IP: "10.0.0.3",
      Status: "started",
      Restarts: 0,
      LastExitReason: "",
    },
    {
      ID: "dddddddddddddddd",
      ProcessName: "web",
      IP: "10.0.0.2",
      Status: "started",
      Restarts: 4,
      LastExitReason: "killed for running out of memory (OOM)",
      LastExitCode: 137,
      LastExitAt: at,
    },
  ]);
  const lines = out.split("\n");
  assert.match(lines[2]!, /\| Restarts \| Last exit +\|$/);
  const web = lines.find((l) => l.includes("dddddddddddd"))!;
  assert.match(web, /\| 4 +\| killed for running out of memory \(OOM\) \(2024-01-02 03:04:05\) \|$/);
  const worker = lines.find((l) => l.includes("cccccccccccc"))!;
  assert.match(worker, /\| 0 +\| +\|$/);
});

test("unit count must be a whole number of at least 1 (usage error otherwise)", () => {
  assert.equal(unitCount("3"), "3");
  for (const bad of ["0", "-1", "1.5", "two", "", "1e3"]) {
    assert.throws(
      () => unitCount(bad),
      (e: unknown) => e instanceof CliError && e.exitCode === 2,
      bad,
    );
  }
});

test("tsuru's hyphenated deploy and unit commands expand to the topic grammar", async () => {
  const program = await buildProgram({ writeOut: () => {}, writeErr: () => {} });
  assert.deepEqual(expandHyphenated(program, ["app-deploy-list", "-a", "x"]), [
    "app",
    "deploy",
    "list",
    "-a",
    "x",
  ]);
  assert.deepEqual(expandHyphenated(program, ["app-deploy-rollback", "v1"]), [
    "app",
    "deploy",
    "rollback",
    "v1",
  ]);
  assert.deepEqual(expandHyphenated(program, ["app-deploy", "."]), ["app", "deploy", "."]);
  assert.deepEqual(expandHyphenated(program, ["unit-add", "2"]), ["unit", "add", "2"]);
  assert.deepEqual(expandHyphenated(program, ["app-restart"]), ["app", "restart"]);
});
