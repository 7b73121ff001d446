// Runs wrk and parses its --latency output into numbers.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A wrk Lua script whose delay() makes every connection wait `ms` before each request. */
function pacingScript(ms: number): string {
  const file = join(mkdtempSync(join(tmpdir(), "wharf-wrk-")), "pace.lua");
  writeFileSync(file, `function delay()\n  return ${Math.round(ms)}\nend\n`);
  return file;
}

export interface WrkResult {
  rps: number;
  /** Requests completed in the run. */
  requests: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

export interface WrkOptions {
  url: string;
  host: string;
  seconds: number;
  threads: number;
  connections: number;
  /**
   * Pause each connection this long between requests (wrk's Lua delay() hook): the offered load
   * is then about connections / (delay + latency), below saturation, so latency is not queueing.
   */
  delayMs?: number;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v.trim());
  if (!m) throw new Error(`unparsable wrk latency "${v}"`);
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const requests = /(\d+) requests in /.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  if (!rps || !requests || !p50 || !p99) throw new Error(`unexpected wrk output:\n${out}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors =
    (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    rps: Number(rps[1]),
    requests: Number(requests[1]),
    p50ms: toMs(p50[1]!),
    p99ms: toMs(p99[1]!),
    errors,
  };
}

export function runWrk(o: WrkOptions): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const script = o.delayMs ? pacingScript(o.delayMs) : undefined;
    const args = [
      ...(script ? ["-s", script] : []),
      `-t${o.threads}`,
      `-c${o.connections}`,
      `-d${o.seconds}s`,
      "--latency",
      "-H",
      `Host: ${o.host}`,
      o.url,
    ];
    const p = spawn("wrk", args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("exit", (code) => {
      if (script) rmSync(dirname(script), { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      try {
        resolve(parseWrk(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}
