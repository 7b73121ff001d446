// The Wharf side: `wharf app deploy` and `wharf unit add 1`, each timed from the moment the
// CLI is spawned until the router serves what the command was for, polled with the same
// loop as the reference. The CLI's output lines are kept with their arrival times, for the
// phase breakdown.
import { performance } from "node:perf_hooks";
import { cli, APP, type Bench, type Line } from "./setup.js";
import { field, get, pollUntil } from "./probe.js";

export interface WharfTimes {
  /** start → first 200 through the router with the new version / new unit */
  ms: number;
  /** start → the CLI exited */
  cliMs: number;
  /** Date.now() at start */
  epoch: number;
  lines: Line[];
}

const routed = (b: Bench) => ({ url: b.routerUrl + "/", host: b.appHost });

/** The version the router serves now (the example app prints it). */
export async function servingVersion(b: Bench): Promise<string | undefined> {
  const r = routed(b);
  const a = await get(r.url, r.host);
  return a.status === 200 ? field(a.body, "version") : undefined;
}

async function timed(b: Bench, args: string[], done: (body: string) => boolean): Promise<WharfTimes> {
  const r = routed(b);
  const ac = new AbortController();
  const t0 = performance.now();
  const run = cli(b, args, { started: t0 });
  const served = pollUntil(r.url, (a) => a.status === 200 && done(a.body), {
    host: r.host,
    signal: ac.signal,
  });
  // A failed command would otherwise leave the poller waiting for its timeout.
  const res = await run;
  if (res.code !== 0) {
    ac.abort();
    await served.catch(() => undefined);
    throw new Error(
      `wharf ${args.join(" ")} failed (${res.code}):\n${res.lines.map((l) => l.text).join("\n")}\n${res.stderr}`,
    );
  }
  const ms = (await served) - t0;
  return { ms, cliMs: res.ms, epoch: res.epoch, lines: res.lines };
}

/** (a) deploy the app directory; done when the router answers with a version other than `before`. */
export function wharfDeploy(b: Bench, before: string | undefined): Promise<WharfTimes> {
  return timed(b, ["app", "deploy", "-a", APP, "."], (body) => field(body, "version") !== before);
}

/** Web unit ids of the app now. */
export async function webUnits(b: Bench): Promise<string[]> {
  const r = await cli(b, ["app", "info", "-a", APP, "--json"]);
  if (r.code !== 0) throw new Error(`app info failed: ${r.stderr}`);
  const info = JSON.parse(r.lines.map((l) => l.text).join("\n")) as {
    units: Array<{ Name: string; ID: string; ProcessName: string }>;
  };
  return info.units.filter((u) => u.ProcessName === "web").map((u) => u.Name);
}

/** (b) unit add 1; done when a request through the router reaches a unit not in `known`. */
export function wharfUnitAdd(b: Bench, known: readonly string[]): Promise<WharfTimes> {
  const seen = new Set(known);
  return timed(b, ["unit", "add", "1", "-a", APP, "-p", "web"], (body) => {
    const unit = field(body, "unit");
    return unit !== undefined && !seen.has(unit);
  });
}

/** The line's time, for the first line matching `re` (phase marks). */
export function mark(lines: readonly Line[], re: RegExp): number | undefined {
  return lines.find((l) => re.test(l.text))?.t;
}
