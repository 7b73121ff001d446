// Load from wrk (Debian's `wrk` package): a C load generator in its own process, so the
// client's own CPU (a few µs per request) hardly competes with the server. Closed loop:
// CONCURRENCY connections, each sending its next request when the answer arrives.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeFigures, type Result, type Scenario, type ServerProbe } from "./scenarios.js";

export function hasWrk(): boolean {
  return spawnSync("wrk", ["--version"]).error === undefined;
}

function luaScript(s: Scenario, token: string, warm: boolean): string {
  const headers = [`["Authorization"] = "bearer ${token}"`];
  if (s.lua.body) headers.push(`["Content-Type"] = "application/x-www-form-urlencoded"`);
  return `
local counter = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  -- Names are unique per thread and per run (warm-up and measured runs are two wrk runs).
  prefix = "${warm ? "warm" : "run"}" .. id .. "-"
end
local headers = { ${headers.join(", ")} }
request = function()
  counter = counter + 1
  return wrk.format("${s.method}", ${s.lua.path}, headers${s.lua.body ? `, ${s.lua.body}` : ""})
end
bad = 0
response = function(status, headers, body)
  if status ~= ${s.okStatus} then bad = bad + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.timeout
  for _, t in ipairs(threads) do failed = failed + t:get("bad") end
  io.write(string.format("RESULT %d %d %d %.4f %.4f\\n", summary.requests, summary.duration, failed,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
}

async function wrk(
  url: string,
  s: Scenario,
  token: string,
  seconds: number,
  concurrency: number,
  warm: boolean,
  pin: string[],
): Promise<{ n: number; secs: number; errors: number; p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-wrk-"));
  const script = join(dir, "scenario.lua");
  writeFileSync(script, luaScript(s, token, warm));
  try {
    const args = ["-t2", `-c${concurrency}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, url];
    const [cmd, ...rest] = [...pin, "wrk", ...args];
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(cmd!, rest, { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      p.stdout.on("data", (d: Buffer) => (text += d.toString()));
      p.once("error", reject);
      p.once("exit", (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`)),
      );
    });
    const m = /RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
    if (!m) throw new Error(`wrk printed no result: ${out}`);
    return { n: +m[1]!, secs: +m[2]! / 1e6, errors: +m[3]!, p50: +m[4]!, p99: +m[5]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runWrk(
  url: string,
  s: Scenario,
  token: string,
  o: { seconds: number; warmupSeconds: number; concurrency: number; pin: string[]; probe: ServerProbe },
): Promise<Result> {
  await wrk(url, s, token, o.warmupSeconds, o.concurrency, true, o.pin);
  const before = { cpu: o.probe.cpuMs(), wait: o.probe.waitMs() };
  const r = await wrk(url, s, token, o.seconds, o.concurrency, false, o.pin);
  const figures = probeFigures(o.probe, before, r.n, r.secs);
  return { name: s.name, n: r.n, errors: r.errors, p50: r.p50, p99: r.p99, rps: r.n / r.secs, ...figures };
}
