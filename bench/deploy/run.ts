// Deploy benchmark: Wharf against doing the same by hand on the same node engine, interleaved
// repetitions in one run on a one-node pool of the test cluster (WHARF_TEST_SLOT picks it).
//  (a) `wharf app deploy` of the example app (platform image cached on the node) → first 200
//      through the router with the new version, vs `docker build` of an equivalent Dockerfile
//      + `docker run -d -p` + first 200 from the container.
//  (b) `wharf unit add 1` → first request through the router answered by the new unit, vs
//      `docker run -d` of the same app image (already on the node) → first 200.
// Each reference runs twice per repetition: with Debian's docker CLI (a process per command,
// as `wharf` is) and through the Engine API inside this process (no client start-up at all).
// Usage: WHARF_TEST_SLOT=6 node --import tsx bench/deploy/run.ts [--reps 3] [--unit-samples 3] [--keep]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { APP, ok, setUp, tearDown, type Bench } from "./setup.js";
import { cleanReference, refBuildAndRun, refRun, type RefTimes } from "./reference.js";
import { cliBuildAndRun, cliRunOnly, dockerCli } from "./reference-cli.js";
import { servingVersion, webUnits, wharfDeploy, wharfUnitAdd, type WharfTimes } from "./wharf.js";
import { breakdown, median, runs, table, type Phase, type Row } from "./report.js";
import { problems, readServerLog, requestMarks } from "./server-log.js";
import { cli } from "./setup.js";

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    // (b) is short and noisy (container start varies by 100 ms): more samples per repetition.
    "unit-samples": { type: "string", default: "3" },
    keep: { type: "boolean", default: false },
  },
});
const wholeNumber = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got ${v}`);
  return n;
};
const REPS = wholeNumber("reps", args.reps);
const UNIT_SAMPLES = wholeNumber("unit-samples", args["unit-samples"]);
// The example app's Procfile command, for the reference containers.
const WEB_COMMAND = "node server.js";

const say = (s: string) => console.log(`# ${s}`);

/** A change both sides copy in, so neither build can reuse the previous code layer. */
function writeRevision(b: Bench, rev: string): void {
  for (const dir of [b.appDir, b.refDir]) writeFileSync(join(dir, "revision.txt"), `${rev}\n`);
}

/** The sides in an order that rotates with `i`, so none is always first after the other. */
function rotated<T>(xs: readonly T[], i: number): T[] {
  const k = i % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

const DEPLOY_PHASES: Phase[] = [
  { name: "server accepted the upload (event started)", at: /^---- Deploying version/ },
  { name: "build node chosen", at: /^---- Building on/ },
  { name: "docker build: first step", at: /^Step 1\// },
  { name: "docker build: platform build step (RUN build)", at: /RUN \/var\/lib\/wharf\/build/ },
  { name: "docker build: done", at: /^Successfully tagged/ },
  { name: "push to registry started", at: /^---- Pushing image/ },
  { name: "units starting (push running on)", at: /^---- Starting \d+ new unit/ },
  { name: "push done (registry has the image)", at: /: digest: sha256:/ },
  { name: "container started", at: /---> Started unit/ },
  { name: "routes switched", at: /^---- Routes updated/ },
  { name: "old units removal", at: /^---- Removing \d+ old unit/ },
];

const UNIT_PHASES: Phase[] = [
  { name: "units starting", at: /^---- Starting \d+ new unit/ },
  { name: "container started", at: /---> Started unit/ },
  { name: "unit added (routable)", at: /unit.* added to/ },
];

function lastImage(w: WharfTimes): string {
  const m = w.lines.map((l) => /Pushing image "([^"]+)"/.exec(l.text)).find(Boolean);
  if (!m) throw new Error(`no image in the deploy output:\n${w.lines.map((l) => l.text).join("\n")}`);
  return m[1]!;
}

async function main(): Promise<void> {
  const b: Partial<Bench> = {};
  try {
    await setUp(b, say);
    const bench = b as Bench;
    const { node, nodeIp, refDir } = bench;

    say("warm-up (not measured): first deploy pulls the platform image onto the node; one reference build");
    writeRevision(bench, "warm-up");
    let w = await wharfDeploy(bench, undefined);
    const platformLine = w.lines.find((l) => /from platform image (\S+)/.test(l.text));
    const platformImage = /from platform image (\S+?)(?: ----)?$/.exec(platformLine?.text ?? "")?.[1];
    if (!platformImage) throw new Error("the deploy output does not name the platform image");
    const warm = await refBuildAndRun(
      node,
      nodeIp,
      refDir,
      "wharf-bench-ref:warm",
      platformImage,
      WEB_COMMAND,
    );
    await node.getContainer(warm.containerId).remove({ force: true });

    const docker = dockerCli(bench.info, join(bench.dir, "docker-config"));
    mkdirSync(join(bench.dir, "docker-config"));
    type Sides = { wharf: WharfTimes[]; cli: RefTimes[]; api: RefTimes[] };
    const deploys: Sides = { wharf: [], cli: [], api: [] };
    const units: Sides = { wharf: [], cli: [], api: [] };
    // What starting the CLI alone costs (node + the CLI's imports), measured alongside.
    const cliStart: number[] = [];
    for (let i = 0; i < REPS; i++) {
      writeRevision(bench, `rep-${i}`);
      cliStart.push((await cli(bench, ["--version"])).ms);
      say(`rep ${i + 1}/${REPS}: (a) deploy`);
      const a = [
        async () => {
          w = await wharfDeploy(bench, await servingVersion(bench));
          deploys.wharf.push(w);
        },
        async () => {
          const r = await cliBuildAndRun(docker, refDir, `wharf-bench-ref:c${i}`, platformImage, WEB_COMMAND);
          await node.getContainer(r.containerId).remove({ force: true });
          deploys.cli.push(r);
        },
        async () => {
          const r = await refBuildAndRun(
            node,
            nodeIp,
            refDir,
            `wharf-bench-ref:r${i}`,
            platformImage,
            WEB_COMMAND,
          );
          await node.getContainer(r.containerId).remove({ force: true });
          deploys.api.push(r);
        },
      ];
      for (const f of rotated(a, i)) await f();

      say(`rep ${i + 1}/${REPS}: (b) one more unit, ${UNIT_SAMPLES} samples`);
      const image = lastImage(w);
      const b = [
        async () => {
          const u = await wharfUnitAdd(bench, await webUnits(bench));
          units.wharf.push(u);
          await ok(bench, ["unit", "remove", "1", "-a", APP, "-p", "web"]);
        },
        async () => {
          const r = await cliRunOnly(docker, image, WEB_COMMAND);
          await node.getContainer(r.containerId).remove({ force: true });
          units.cli.push(r);
        },
        async () => {
          const r = await refRun(node, nodeIp, image, WEB_COMMAND);
          await node.getContainer(r.containerId).remove({ force: true });
          units.api.push(r);
        },
      ];
      for (let k = 0; k < UNIT_SAMPLES; k++) for (const f of rotated(b, i * UNIT_SAMPLES + k)) await f();
    }

    const log = readServerLog(bench.serverLog);
    // The same runs without the CLI's own start-up: from the request reaching the server.
    const fromRequest = (xs: WharfTimes[], method: string, url: string) =>
      xs
        .map((x) => {
          const m = requestMarks(log, x.epoch, x.cliMs, method, url);
          return m ? x.ms - m.arrived : NaN;
        })
        .filter(Number.isFinite);
    const rows: Row[] = [
      ...(
        [
          ["vs docker CLI", "cli"],
          ["vs Engine API in-process", "api"],
        ] as const
      ).flatMap(([against, side]) => [
        {
          name: `(a) upload → serving, ${against}`,
          wharf: deploys.wharf.map((x) => x.ms),
          reference: deploys[side].map((x) => x.ms),
          goal: 1.3,
        },
        {
          name: `(b) unit add 1 → routable, ${against}`,
          wharf: units.wharf.map((x) => x.ms),
          reference: units[side].map((x) => x.ms),
          goal: 1.2,
        },
      ]),
      {
        name: "(a) from POST deploy reaching the server",
        wharf: fromRequest(deploys.wharf, "POST", `/apps/${APP}/deploy`),
        reference: deploys.api.map((x) => x.ms),
      },
      {
        name: "(b) from PUT units reaching the server",
        wharf: fromRequest(units.wharf, "PUT", `/apps/${APP}/units`),
        reference: units.api.map((x) => x.ms),
      },
    ];
    console.log("");
    console.log(
      `command: WHARF_TEST_SLOT=${process.env.WHARF_TEST_SLOT ?? ""} node --import tsx bench/deploy/run.ts --reps ${REPS} --unit-samples ${UNIT_SAMPLES}`,
    );
    console.log(
      `one-node pool, node ${nodeIp}; ${REPS} interleaved repetitions, (b) ${UNIT_SAMPLES} samples each ` +
        "(order rotates); polls every 10 ms; reference containers are removed between runs (not timed)",
    );
    console.log("");
    console.log(table(rows));
    console.log("");
    console.log(runs(rows));
    console.log("");
    const onServer = (x: WharfTimes, method: string, url: string, what: string): Record<string, number> => {
      const m = requestMarks(log, x.epoch, x.cliMs, method, url);
      return m
        ? { [`${what} reached the server`]: m.arrived, [`${what} answered (stream ended)`]: m.completed }
        : {};
    };
    console.log(`wharf --version (CLI start-up alone): median ${(median(cliStart) / 1000).toFixed(2)} s`);
    console.log(
      breakdown(
        "wharf app deploy",
        DEPLOY_PHASES,
        deploys.wharf.map((x) => ({
          lines: x.lines,
          extra: {
            ...onServer(x, "GET", `/apps/${APP}`, "GET /apps/hello (CLI started)"),
            ...onServer(x, "POST", `/apps/${APP}/deploy`, "POST deploy"),
            "first 200 with the new version": x.ms,
            "CLI exited": x.cliMs,
          },
        })),
      ),
    );
    for (const [side, xs] of [
      ["docker CLI", deploys.cli],
      ["Engine API", deploys.api],
    ] as const)
      console.log(
        breakdown(
          `reference build + run (${side})`,
          [],
          xs.map((x) => ({
            lines: [],
            extra: {
              "docker build done": x.marks.built!,
              "container started": x.marks.started!,
              "first 200": x.ms,
            },
          })),
        ),
      );
    console.log(
      breakdown(
        "wharf unit add 1",
        UNIT_PHASES,
        units.wharf.map((x) => ({
          lines: x.lines,
          extra: {
            ...onServer(x, "PUT", `/apps/${APP}/units`, "PUT units"),
            "first request on the new unit": x.ms,
            "CLI exited": x.cliMs,
          },
        })),
      ),
    );
    for (const [side, xs] of [
      ["docker CLI", units.cli],
      ["Engine API", units.api],
    ] as const)
      console.log(
        breakdown(
          `reference docker run (${side})`,
          [],
          xs.map((x) => ({ lines: [], extra: { "container started": x.marks.started!, "first 200": x.ms } })),
        ),
      );
    const sample = deploys.wharf.at(-1);
    if (sample) {
      console.log("\nlast wharf deploy's output with arrival times:");
      for (const l of sample.lines) console.log(`  ${(l.t / 1000).toFixed(3).padStart(7)}  ${l.text}`);
    }
    const warned = [...deploys.wharf, ...units.wharf].flatMap((x) => problems(log, x.epoch, x.cliMs));
    if (warned.length) console.log(`\nserver warnings during the timed commands:\n  ${warned.join("\n  ")}`);
    await cleanReference(node);
    console.log(`\nserver log: ${bench.serverLog}${args.keep ? "" : " (removed; --keep keeps it)"}`);
  } finally {
    say("tearing down (cluster down)...");
    await tearDown(b, args.keep);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
