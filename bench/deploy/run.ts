// Deploy benchmark: Wharf against doing the same by hand on the same node engine, interleaved
// repetitions in one run on a one-node pool of the test cluster (WHARF_TEST_SLOT picks it).
//  (a) `wharf app deploy` of the example app (platform image cached on the node) → first 200
//      through the router with the new version, vs `docker build` of an equivalent Dockerfile
//      + `docker run -d -p` + first 200 from the container.
//  (b) `wharf unit add 1` → first request through the router answered by the new unit, vs
//      `docker run -d` of the same app image (already on the node) → first 200.
// Usage: WHARF_TEST_SLOT=6 node --import tsx bench/deploy/run.ts [--reps 3] [--keep]
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { APP, ok, setUp, tearDown, type Bench } from "./setup.js";
import { cleanReference, refBuildAndRun, refRun, type RefTimes } from "./reference.js";
import { servingVersion, webUnits, wharfDeploy, wharfUnitAdd, type WharfTimes } from "./wharf.js";
import { breakdown, median, runs, table, type Phase, type Row } from "./report.js";
import { problems, readServerLog, requestMarks } from "./server-log.js";
import { cli } from "./setup.js";

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    keep: { type: "boolean", default: false },
  },
});
const REPS = Number(args.reps);
if (!Number.isInteger(REPS) || REPS < 1)
  throw new Error(`--reps must be a whole number ≥ 1, got ${args.reps}`);
// The example app's Procfile command, for the reference containers.
const WEB_COMMAND = "node server.js";

const say = (s: string) => console.log(`# ${s}`);

/** A change both sides copy in, so neither build can reuse the previous code layer. */
function writeRevision(b: Bench, rev: string): void {
  for (const dir of [b.appDir, b.refDir]) writeFileSync(join(dir, "revision.txt"), `${rev}\n`);
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

    const deploys: { wharf: WharfTimes[]; ref: RefTimes[] } = { wharf: [], ref: [] };
    const units: { wharf: WharfTimes[]; ref: RefTimes[] } = { wharf: [], ref: [] };
    // What starting the CLI alone costs (node + the CLI's imports), measured alongside.
    const cliStart: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const wharfFirst = i % 2 === 0;
      writeRevision(bench, `rep-${i}`);
      cliStart.push((await cli(bench, ["--version"])).ms);
      say(`rep ${i + 1}/${REPS}: (a) deploy, ${wharfFirst ? "wharf first" : "reference first"}`);
      const a = [
        async () => {
          w = await wharfDeploy(bench, await servingVersion(bench));
          deploys.wharf.push(w);
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
          deploys.ref.push(r);
        },
      ];
      for (const f of wharfFirst ? a : a.reverse()) await f();

      say(`rep ${i + 1}/${REPS}: (b) one more unit, ${wharfFirst ? "wharf first" : "reference first"}`);
      const image = lastImage(w);
      const bSide = [
        async () => {
          const u = await wharfUnitAdd(bench, await webUnits(bench));
          units.wharf.push(u);
          await ok(bench, ["unit", "remove", "1", "-a", APP, "-p", "web"]);
        },
        async () => {
          const r = await refRun(node, nodeIp, image, WEB_COMMAND);
          await node.getContainer(r.containerId).remove({ force: true });
          units.ref.push(r);
        },
      ];
      for (const f of wharfFirst ? bSide : bSide.reverse()) await f();
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
      {
        name: "(a) upload → serving",
        wharf: deploys.wharf.map((x) => x.ms),
        reference: deploys.ref.map((x) => x.ms),
        goal: 1.3,
      },
      {
        name: "(b) unit add 1 → routable",
        wharf: units.wharf.map((x) => x.ms),
        reference: units.ref.map((x) => x.ms),
        goal: 1.2,
      },
      {
        name: "(a) from POST deploy reaching the server",
        wharf: fromRequest(deploys.wharf, "POST", `/apps/${APP}/deploy`),
        reference: deploys.ref.map((x) => x.ms),
      },
      {
        name: "(b) from PUT units reaching the server",
        wharf: fromRequest(units.wharf, "PUT", `/apps/${APP}/units`),
        reference: units.ref.map((x) => x.ms),
      },
    ];
    console.log("");
    console.log(
      `command: WHARF_TEST_SLOT=${process.env.WHARF_TEST_SLOT ?? ""} node --import tsx bench/deploy/run.ts --reps ${REPS}`,
    );
    console.log(
      `one-node pool, node ${nodeIp}; ${REPS} interleaved repetitions (order alternates); polls every 10 ms`,
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
    console.log(
      breakdown(
        "reference build + run",
        [],
        deploys.ref.map((x) => ({
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
    console.log(
      breakdown(
        "reference docker run",
        [],
        units.ref.map((x) => ({
          lines: [],
          extra: { "container started": x.marks.started!, "first 200": x.ms },
        })),
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
