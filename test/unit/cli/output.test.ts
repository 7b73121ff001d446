import { test } from "node:test";
import assert from "node:assert/strict";
import { field, formatDuration, json, megabytes, roleLabel, table } from "../../../src/cli/output.js";
import { maskEnv, renderEnv } from "../../../src/cli/commands/env.js";
import { appAddresses, renderAppInfo, unitSummary } from "../../../src/cli/commands/app.js";
import { renderEvents } from "../../../src/cli/commands/event.js";

test("table draws plain ASCII boxes without colour codes", () => {
  const out = table(
    ["Name", "Kind"],
    [
      ["p1", "default"],
      ["pool-two", ""],
    ],
  );
  assert.equal(
    out,
    [
      "+----------+---------+",
      "| Name     | Kind    |",
      "+----------+---------+",
      "| p1       | default |",
      "| pool-two |         |",
      "+----------+---------+",
      "",
    ].join("\n"),
  );
  assert.ok(!out.includes("\u001b["), "no ANSI colour codes");
});

test("json output is pretty-printed and ends with a newline", () => {
  assert.equal(json([{ a: 1 }]), '[\n  {\n    "a": 1\n  }\n]\n');
  assert.equal(json(undefined), "null\n");
});

test("field reads keys case-insensitively, as Go's decoder does", () => {
  assert.equal(field({ Email: "a@b" }, "email"), "a@b");
  assert.equal(field({ name: "x" }, "Name"), "x");
  assert.equal(field(null, "x"), undefined);
});

test("roleLabel shows Name(ContextType ContextValue)", () => {
  assert.equal(
    roleLabel({ Name: "team-member", ContextType: "team", ContextValue: "admin" }),
    "team-member(team admin)",
  );
  assert.equal(roleLabel({ Name: "AllowAll", ContextType: "global", ContextValue: "" }), "AllowAll(global)");
});

test("env output masks private values and sorts by name", () => {
  const vars = [
    { name: "ZED", value: "1", public: true },
    { name: "SECRET", value: "hunter2", public: false },
    { name: "ALPHA", value: "a=b", public: true },
  ];
  assert.equal(renderEnv(vars), "ALPHA=a=b\nSECRET=*** (private variable)\nZED=1");
  assert.ok(!JSON.stringify(maskEnv(vars)).includes("hunter2"));
});

test("megabytes shows plan memory in MB unless bytes are asked for", () => {
  assert.equal(megabytes(134217728), "128M");
  assert.equal(megabytes(134217728, true), "134217728");
  assert.equal(megabytes(undefined), "0M");
});

test("formatDuration is compact", () => {
  assert.equal(formatDuration(250), "250ms");
  assert.equal(formatDuration(5000), "5s");
  assert.equal(formatDuration(62_000), "1m2s");
  assert.equal(formatDuration(3_600_000 + 1000), "1h0m1s");
});

test("unitSummary counts units with an ID grouped by status", () => {
  const app = {
    units: [
      { ID: "a", Status: "started" },
      { ID: "b", Status: "started" },
      { ID: "", Status: "x" },
      { ID: "c", Status: "stopped" },
    ],
  };
  assert.equal(unitSummary(app), "2 started\n1 stopped");
  assert.equal(unitSummary({ error: "boom", units: [] }), "error fetching units");
});

test("app addresses list cnames, then router addresses, else ip", () => {
  assert.deepEqual(appAddresses({ cname: ["www.x.io"], routers: [{ address: "a.cloud" }], ip: "ignored" }), [
    "www.x.io",
    "a.cloud",
  ]);
  assert.deepEqual(appAddresses({ cname: [], routers: [], ip: "a.cloud" }), ["a.cloud"]);
});

test("app info shows the owner team, quota and units", () => {
  const out = renderAppInfo(
    {
      name: "web",
      platform: "python",
      teams: ["t1", "t2"],
      teamowner: "t1",
      owner: "u@x.io",
      pool: "p1",
      deploys: 2,
      units: [
        {
          ID: "0123456789abcdef",
          ProcessName: "web",
          IP: "10.0.0.5",
          Status: "started",
          Address: { Host: "10.0.0.5:32768" },
        },
      ],
      plan: { name: "small", memory: 0, swap: 0, cpushare: 0 },
    },
    { quota: { limit: -1, inuse: 1 } },
  );
  assert.match(out, /^Application: web$/m);
  assert.match(out, /^Teams: t1 \(owner\), t2$/m);
  assert.match(out, /^Quota: 1\/unlimited units$/m);
  assert.match(out, /^Units: 1$/m);
  assert.match(out, /\| Unit +\| Process \| Node +\| Address +\| Status +\|/);
  assert.match(out, /\| 0123456789ab \| web +\| 10\.0\.0\.5 \| 10\.0\.0\.5:32768 \| started \|/);
  assert.doesNotMatch(out, /App Plan/);
});

test("app info says when lost units have no healthy capacity, and says nothing when all are placed", () => {
  const since = new Date(2024, 0, 2, 3, 4, 5).toISOString();
  const short = renderAppInfo(
    {
      name: "web",
      units: [],
      capacity: {
        missing: 2,
        reason: "Cannot place a unit: no resources available to schedule container",
        since,
      },
    },
    {},
  );
  assert.match(
    short,
    /^Capacity: 2 unit\(s\) missing since 2024-01-02 03:04:05: Cannot place a unit: no resources available/m,
  );
  assert.doesNotMatch(renderAppInfo({ name: "web", units: [], capacity: null }, {}), /Capacity/);
});

test("event list shows success, owner up to @, kind and target", () => {
  const out = renderEvents([
    {
      UniqueID: "5d93463a1b0e8b0001a2b3c4",
      StartTime: "2026-01-01T00:00:00Z",
      EndTime: "2026-01-01T00:00:05Z",
      Running: false,
      Error: "",
      Owner: { Type: "user", Name: "admin@example.com" },
      Kind: { Type: "permission", Name: "app.create" },
      Target: { Type: "app", Value: "web" },
    },
    {
      UniqueID: "aaaaaaaaaaaaaaaaaaaaaaaa",
      Running: true,
      Owner: { Name: "bob" },
      Kind: { Name: "app.deploy" },
      Target: { Type: "app", Value: "web" },
    },
    {
      UniqueID: "bbbbbbbbbbbbbbbbbbbbbbbb",
      Error: "x",
      CancelInfo: { Canceled: true },
      Kind: { Name: "app.deploy" },
      Target: {},
    },
  ]);
  assert.match(out, /5d93463a1b0e8b0001a2b3c4 \| .*\(5s\) +\| true +\| admin +\| app\.create +\| app: web/);
  assert.match(out, /aaaaaaaaaaaaaaaaaaaaaaaa \| .*\(running\) +\| … +\| bob/);
  assert.match(out, /false \(canceled\)/);
});
