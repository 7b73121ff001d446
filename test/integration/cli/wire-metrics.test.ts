// `wharf app metrics` and `wharf unit autoscale set|info|unset` on the wire: the paths
// (tsuru 1.9+'s /1.9/apps/{app}/units/autoscale), the JSON body tsuru's client sends, the
// query of the metrics read, what is printed, and the mistakes caught before sending.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { buildCli, runCli, startStub, type Stub } from "./helpers.js";

let stub: Stub;
const env = () => ({ WHARF_TARGET: stub.url, WHARF_TOKEN: "tk" });

before(async () => {
  buildCli();
  stub = await startStub();
});
after(() => stub.close());
beforeEach(() => stub.reset());

const AUTOSCALE = "/1.9/apps/web/units/autoscale";

test("unit autoscale set posts tsuru's AutoScaleSpec as JSON to /1.9/apps/APP/units/autoscale", async () => {
  stub.on("POST", AUTOSCALE, {});
  const r = await runCli(
    ["unit", "autoscale", "set", "-a", "web", "-p", "web", "--min", "1", "--max", "10", "--cpu", "60%"],
    {
      env: env(),
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Unit auto scale successfully set.\n");
  const [req] = stub.requests;
  assert.equal(stub.requests.length, 1);
  assert.match(String(req!.headers["content-type"]), /^application\/json/);
  assert.deepEqual(JSON.parse(req!.body), { process: "web", minUnits: 1, maxUnits: 10, averageCPU: "60%" });
});

test("unit autoscale set --rpu adds requestsPerUnit, with or without a CPU target", async () => {
  stub.on("POST", AUTOSCALE, {});
  const r = await runCli(
    ["unit", "autoscale", "set", "-a", "web", "-p", "web", "--max", "4", "--rpu", "150"],
    {
      env: env(),
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(stub.requests[0]!.body), {
    process: "web",
    minUnits: 1,
    maxUnits: 4,
    averageCPU: "",
    requestsPerUnit: 150,
  });
});

test("unit autoscale set: min above max, no target, a bad count or --rpu are usage errors that send nothing", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["--min", "5", "--max", "2", "--cpu", "50%"], /--min 5 is above --max 2/],
    [["--max", "3"], /give a target: --cpu 60% or --rpu 100/],
    [["--cpu", "50%"], /--max is required/],
    [["--max", "0", "--cpu", "50%"], /invalid --max "0"/],
    [["--max", "3", "--rpu", "lots"], /invalid --rpu "lots"/],
  ];
  for (const [flags, message] of cases) {
    const r = await runCli(["unit", "autoscale", "set", "-a", "web", "-p", "web", ...flags], { env: env() });
    assert.equal(r.code, 2, `${flags.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.equal(stub.requests.length, 0);
});

test("unit autoscale set prints the server's sentence for a refused setting and exits 1", async () => {
  stub.on("POST", AUTOSCALE, {
    status: 400,
    body: 'App "web" has no process "worker": its processes are web.\n',
  });
  const r = await runCli(
    ["unit", "autoscale", "set", "-a", "web", "-p", "worker", "--max", "2", "--cpu", "50%"],
    {
      env: env(),
    },
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /App "web" has no process "worker": its processes are web\./);
  assert.doesNotMatch(r.stdout, /successfully/);
});

test("unit autoscale info shows each process's setting; --json the list as sent", async () => {
  const list = [
    { process: "web", minUnits: 1, maxUnits: 10, averageCPU: "60%", requestsPerUnit: 0 },
    { process: "worker", minUnits: 2, maxUnits: 3, averageCPU: "", requestsPerUnit: 40 },
  ];
  stub.on("GET", AUTOSCALE, { body: list });
  const r = await runCli(["unit", "autoscale", "info", "-a", "web"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /web\s+\|\s+1\s+\|\s+10\s+\|\s+60%\s+\|\s+-/);
  assert.match(r.stdout, /worker\s+\|\s+2\s+\|\s+3\s+\|\s+-\s+\|\s+40/);
  const j = await runCli(["unit", "autoscale", "info", "-a", "web", "--json"], { env: env() });
  assert.deepEqual(JSON.parse(j.stdout), list);
  stub.on("GET", AUTOSCALE, { body: [] });
  const none = await runCli(["unit", "autoscale", "info", "-a", "web"], { env: env() });
  assert.equal(none.stdout, 'App "web" has no autoscale settings.\n');
});

test("unit autoscale unset sends DELETE with the process in the query", async () => {
  stub.on("DELETE", `${AUTOSCALE}?process=web`, {});
  const r = await runCli(["unit", "autoscale", "unset", "-a", "web", "-p", "web"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Unit auto scale successfully unset.\n");
  assert.equal(stub.requests.length, 1);
});

test("app metrics reads /1.0/apps/APP/metrics with process and since and draws a row per series", async () => {
  const t = Math.floor(Date.now() / 10_000) * 10 - 30;
  stub.on("GET", "/1.0/apps/web/metrics?process=web&since=15m", {
    body: {
      step: 10,
      series: [
        {
          name: "requests",
          process: "web",
          unit: "",
          points: [
            [t, 1],
            [t + 10, 4],
            [t + 20, 2],
          ],
        },
        {
          name: "cpu_percent",
          process: "web",
          unit: "web-web-0123abcd",
          points: [
            [t, 12.5],
            [t + 10, 50],
          ],
        },
      ],
    },
  });
  const r = await runCli(["app", "metrics", "-a", "web", "-p", "web", "--since", "15m"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /requests\s+\| web\s+\| \(router\)/);
  assert.match(r.stdout, /cpu_percent\s+\| web\s+\| web-web-0123abcd\s/);
  assert.match(r.stdout, /[▁▂▃▄▅▆▇█]/);
  const j = await runCli(["app", "metrics", "-a", "web", "-p", "web", "--since", "15m", "--json"], {
    env: env(),
  });
  assert.equal(JSON.parse(j.stdout).series.length, 2);
});
