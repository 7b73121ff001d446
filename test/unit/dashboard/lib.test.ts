// The dashboard's pure pieces: URL matching, which field an API sentence is about, the live
// log's memory across reconnects, chart series, app status words and value formats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { href, match } from "../../../src/dashboard/lib/paths.js";
import { fieldFor } from "../../../src/dashboard/lib/field-for.js";
import { LogBuffer, type LogEntry } from "../../../src/dashboard/lib/log-merge.js";
import { align, errorRate, summary } from "../../../src/dashboard/lib/series.js";
import { appStatus, unitSummary } from "../../../src/dashboard/lib/app-status.js";
import { ago, bytes, duration, isZeroTime } from "../../../src/dashboard/lib/format.js";
import { splitLines } from "../../../src/dashboard/lib/lines.js";
import type { AppSummary, Unit } from "../../../src/dashboard/api/types.js";

test("page patterns match with optional and URL-encoded segments, and nothing longer", () => {
  assert.deepEqual(match("/apps/:name/:tab?", "/apps/hello"), { name: "hello" });
  assert.deepEqual(match("/apps/:name/:tab?", "/apps/hello/deploys"), { name: "hello", tab: "deploys" });
  assert.equal(match("/apps/:name/:tab?", "/apps/hello/deploys/extra"), null);
  assert.equal(match("/apps/:name", "/apps"), null);
  assert.equal(match("/nodes", "/pools"), null);
  const address = "https://10.0.0.5:2376";
  assert.deepEqual(match("/nodes/:address", `/nodes/${encodeURIComponent(address)}`), { address });
  assert.equal(match("/nodes/:address", "/nodes/%E0%A4%A"), null, "a bad escape matches no page");
  assert.equal(href("/apps"), "/dashboard/apps");
  assert.equal(href("apps"), "/dashboard/apps");
});

test("an API sentence goes to the field it names, else to none", () => {
  const fields = [
    { name: "name", match: /app name|name/i },
    { name: "teamOwner", match: /team/i },
    { name: "plan" },
  ];
  assert.equal(fieldFor('Invalid app name "Bad_Name!": use lowercase letters.', fields), "name");
  assert.equal(fieldFor('Team "x" not found.', fields), "teamOwner");
  assert.equal(fieldFor('Plan "huge" does not exist.', fields), "plan");
  assert.equal(fieldFor("The deploy quota is exhausted.", fields), "");
  // A field name with regex characters is matched literally.
  assert.equal(fieldFor("Metadata.pool is kept by Wharf.", [{ name: "Metadata.pool" }]), "Metadata.pool");
  assert.equal(fieldFor("MetadataXpool", [{ name: "Metadata.pool" }]), "");
});

const entry = (Message: string, Date = "2026-12-07T10:00:00.000Z", Unit = "u1"): LogEntry => ({
  Date,
  Message,
  Source: "web",
  AppName: "hello",
  Unit,
});

test("the live log adds only lines it has not shown, so a reconnect's history shows nothing twice", () => {
  const b = new LogBuffer();
  assert.deepEqual(
    b.add([entry("a"), entry("b")]).map((e) => e.Message),
    ["a", "b"],
  );
  // Reconnected: the API sends the recent history again, with one new line.
  assert.deepEqual(
    b.add([entry("a"), entry("b"), entry("c")]).map((e) => e.Message),
    ["c"],
  );
  // The same text at another time or from another unit is another line.
  assert.equal(b.add([entry("a", "2026-12-07T10:00:01.000Z"), entry("a", undefined, "u2")]).length, 2);
  assert.deepEqual(
    b.lines().map((e) => e.Message),
    ["a", "b", "c", "a", "a"],
  );
});

test("the live log keeps its last lines only, and forgets the keys of the ones it dropped", () => {
  const b = new LogBuffer(3);
  b.add(["1", "2", "3", "4"].map((m) => entry(m)));
  assert.deepEqual(
    b.lines().map((e) => e.Message),
    ["2", "3", "4"],
  );
  assert.equal(b.add([entry("1")]).length, 1, "a dropped line may come back");
  b.clear();
  assert.equal(b.lines().length, 0);
});

test("chart lines share one time axis, with gaps where a line has no point", () => {
  const data = align([
    {
      label: "p50",
      points: [
        [10, 1],
        [20, 2],
      ],
    },
    {
      label: "p99",
      points: [
        [20, 5],
        [30, 6],
      ],
    },
  ]);
  assert.deepEqual(data, [
    [10, 20, 30],
    [1, 2, null],
    [null, 5, 6],
  ]);
  assert.deepEqual(align([]), [[]]);
});

test("a chart's sentence for screen readers gives each line's last and highest value", () => {
  const s = summary(
    "Latency",
    [
      {
        label: "p50 ms",
        points: [
          [10, 3],
          [20, 1],
        ],
      },
      { label: "p99 ms", points: [] },
    ],
    (v) => `${v} ms`,
  );
  assert.equal(s, "Latency, last hour. p50 ms: now 1 ms, max 3 ms; p99 ms: no points.");
});

test("the error rate is errors per request in each step, with no rate where there were no requests", () => {
  assert.deepEqual(
    errorRate(
      {
        points: [
          [10, 4],
          [20, 0],
          [30, 10],
        ],
      },
      {
        points: [
          [10, 1],
          [30, 0],
        ],
      },
    ),
    [
      [10, 25],
      [30, 0],
    ],
  );
  assert.deepEqual(errorRate(undefined, undefined), []);
  assert.deepEqual(errorRate({ points: [[10, 2]] }, undefined), [[10, 0]]);
});

const unit = (Status: string): Unit =>
  ({ Name: `u-${Status}`, Status, ProcessName: "web" }) as unknown as Unit;
const app = (units: Unit[], locked = ""): AppSummary =>
  ({ name: "a", units, lock: { Locked: !!locked, Reason: locked, Owner: "x" } }) as unknown as AppSummary;

test("an app's status word comes from its lock, then its units; units are counted by status", () => {
  assert.equal(appStatus(app([])), "idle");
  assert.equal(appStatus(app([unit("started"), unit("started")])), "started");
  assert.equal(appStatus(app([unit("started"), unit("starting")])), "starting");
  assert.equal(appStatus(app([unit("started"), unit("error")])), "error");
  assert.equal(appStatus(app([unit("started")], "app.deploy")), "deploy");
  assert.equal(unitSummary([]), "no units");
  assert.equal(unitSummary([unit("started"), unit("stopped"), unit("started")]), "2 started, 1 stopped");
});

test("sizes, durations and times read as people say them", () => {
  assert.equal(bytes(0), "0 B");
  assert.equal(bytes(268435456), "256 MiB");
  assert.equal(bytes(1536), "1.5 KiB");
  assert.equal(bytes(25276157952), "24 GiB");
  assert.equal(bytes(-1), "—");
  assert.equal(duration(27_394_000_000), "27 s");
  assert.equal(duration(1_394_000_000), "1.4 s");
  assert.equal(duration(125_000_000_000), "2 min 5 s");
  assert.equal(duration(0), "—");
  const now = Date.parse("2026-12-07T12:00:00Z");
  assert.equal(ago("2026-12-07T11:59:58Z", now), "just now");
  assert.equal(ago("2026-12-07T11:59:30Z", now), "30 s ago");
  assert.equal(ago("2026-12-07T11:00:00Z", now), "1 h ago");
  assert.equal(ago("0001-01-01T00:00:00Z", now), "never");
  assert.ok(isZeroTime("") && isZeroTime("0001-01-01T00:00:00Z") && !isZeroTime("2026-12-07T11:00:00Z"));
});

test("streamed bodies split into complete lines, keeping the unterminated rest", () => {
  assert.deepEqual(splitLines('{"a":1}\r\n{"b"'), [['{"a":1}'], '{"b"']);
  assert.deepEqual(splitLines("x\ny\n"), [["x", "y"], ""]);
  assert.deepEqual(splitLines(""), [[], ""]);
});
