// Route propagation as a user sees it, on a test cluster: the time from `unit add` returning (the
// API's PUT /1.0/apps/APP/units answer fully read) to the first request through the router answered
// by the new unit, for the router embedded in `wharf server` and for a `wharf router` process
// following the same store, over N trials (default 20). The cluster, server and app come from
// bench/deploy's set-up (one node, examples/hello, which prints its unit in every answer).
//
// Each router is polled back to back by its own loop from before the call until the new unit
// answers; an answer that arrives before the call returned counts as 0 ms (the route was already
// live when the user got the prompt back). The unit is removed again between trials (not timed).
// Usage: WHARF_TEST_SLOT=4 node --import tsx bench/router/propagation-unit-add.ts [--trials 20] [--keep]
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { APP, ok, setUp, tearDown, type Bench } from "../deploy/setup.js";
import { field } from "../deploy/probe.js";
import { webUnits } from "../deploy/wharf.js";
import { CLI } from "../../test/integration/cli/helpers.js";

const { values: args } = parseArgs({
  options: { trials: { type: "string", default: "20" }, keep: { type: "boolean", default: false } },
});
const TRIALS = Number(args.trials);
if (!Number.isInteger(TRIALS) || TRIALS < 1) throw new Error(`--trials must be ≥ 1, got ${args.trials}`);
const say = (s: string) => console.log(`# ${s}`);

/** `wharf router` against the server's data dir (SQLite: it polls the change feed every 20 ms). */
function startRouterProcess(b: Bench): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [CLI, "router", "--data-dir", join(b.dir, "data"), "--port", "0", "--host", "127.0.0.1"].concat([
      "--tls-port",
      "off",
      "--admin-port",
      "off",
      "--workers",
      "1",
    ]),
    { stdio: ["ignore", "ignore", "pipe"], env: { PATH: process.env.PATH ?? "", HOME: b.dir } },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d;
      const m = /http :(\d+)/.exec(err);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}` });
    });
    child.once("exit", (code) => reject(new Error(`wharf router exited with ${code}: ${err}`)));
  });
}

/**
 * Requests `url` back to back until an answer names a unit not in `known`; resolves with the
 * performance.now() of that answer. One keep-alive connection, so a poll costs a request, not a connect.
 */
async function firstAnswerFromNewUnit(
  url: string,
  host: string,
  known: ReadonlySet<string>,
  stop: AbortSignal,
): Promise<number> {
  const dispatcher = new Agent({ connections: 1 });
  try {
    const deadline = performance.now() + 120_000;
    while (performance.now() < deadline && !stop.aborted) {
      try {
        const res = await request(url, { headers: { host }, dispatcher, headersTimeout: 2000 });
        const body = await res.body.text();
        const unit = res.statusCode === 200 ? field(body, "unit") : undefined;
        if (unit !== undefined && !known.has(unit)) return performance.now();
      } catch {
        await new Promise((r) => setTimeout(r, 5)); // the router is restarting or refused: retry
      }
    }
    throw new Error(`no answer from a new unit through ${url}`);
  } finally {
    await dispatcher.close();
  }
}

/** PUT /1.0/apps/APP/units as `wharf unit add 1 -p web` sends it; resolves when the answer was read. */
async function unitAdd(apiUrl: string, token: string): Promise<number> {
  const res = await request(`${apiUrl}/1.0/apps/${APP}/units`, {
    method: "PUT",
    headers: { authorization: `bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
    body: "process=web&units=1",
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const text = await res.body.text();
  const t = performance.now();
  if (res.statusCode !== 200 || /"Error":"[^"]/.test(text))
    throw new Error(`unit add failed (${res.statusCode}): ${text.slice(0, 500)}`);
  return t;
}

function stats(xs: number[]): { p50: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor((s.length - 1) / 2)]!, max: s[s.length - 1]! };
}

async function main(): Promise<void> {
  const b: Partial<Bench> = {};
  let routerProc: ChildProcess | undefined;
  try {
    await setUp(b, say);
    const bench = b as Bench;
    const token = readFileSync(join(bench.home, "token"), "utf8").trim();
    const apiUrl = /(http:\/\/\S+)/.exec(readFileSync(join(bench.home, "target"), "utf8"))?.[1];
    if (!apiUrl) throw new Error("no target URL in the CLI's home");
    say("deploying the example app (not measured)...");
    await ok(bench, ["app", "deploy", "-a", APP, "."]);
    const proc = await startRouterProcess(bench);
    routerProc = proc.child;
    const routers = [
      { name: "embedded router (in `wharf server`)", url: bench.routerUrl + "/" },
      { name: "`wharf router` process (SQLite feed)", url: proc.url + "/" },
    ];
    const results = routers.map(() => ({ ms: [] as number[], early: 0 }));
    say(`${TRIALS} trials: unit add 1 → first request through each router answered by the new unit`);
    for (let trial = 1; trial <= TRIALS; trial++) {
      const known = new Set(await webUnits(bench));
      const stop = new AbortController();
      const polls = routers.map((r) => firstAnswerFromNewUnit(r.url, bench.appHost, known, stop.signal));
      let returned: number;
      try {
        returned = await unitAdd(apiUrl, token);
      } catch (err) {
        stop.abort();
        await Promise.allSettled(polls);
        throw err;
      }
      const firsts = await Promise.all(polls);
      const line: string[] = [];
      firsts.forEach((t, i) => {
        const ms = Math.max(0, t - returned);
        if (t <= returned) results[i]!.early++;
        results[i]!.ms.push(ms);
        line.push(`${ms.toFixed(2)} ms${t <= returned ? " (before return)" : ""}`);
      });
      console.log(`  trial ${String(trial).padStart(2)}: ${line.join("  |  ")}`);
      await ok(bench, ["unit", "remove", "1", "-a", APP, "-p", "web"]);
    }
    console.log(
      `\nfrom \`unit add\` returning to the new unit's first request, ${TRIALS} trials (goal ≤ 50 ms):`,
    );
    routers.forEach((r, i) => {
      const { p50, max } = stats(results[i]!.ms);
      console.log(
        `  ${r.name.padEnd(40)} p50 ${p50.toFixed(2)} ms  max ${max.toFixed(2)} ms  ` +
          `(already routed at return in ${results[i]!.early}/${TRIALS})  ${max <= 50 ? "MET" : "NOT MET"}`,
      );
    });
  } finally {
    if (routerProc && routerProc.exitCode === null) {
      const exited = new Promise((r) => routerProc!.once("exit", r));
      routerProc.kill("SIGTERM");
      await exited;
    }
    await tearDown(b, args.keep);
  }
}

await main();
