// The node agent's sampling cost on a node running N units (busybox containers), as a share
// of one CPU, next to the alternatives in the same run (see mode.ts): an idle Node.js process
// (the reference), the agent's cgroup/procfs pass (what ships), one-shot stats per container
// (its fallback) and a stats stream per container. For each, the sampling process's CPU and
// the node's daemons' (dockerd, containerd, shims: all processes of the node's daemon cgroup)
// are read from /proc/<pid>/task/*/schedstat, over the same window, modes interleaved in each
// repetition; medians are printed, with each design's cost over the idle reference.
// Usage: WHARF_TEST_SLOT=5 node --import tsx bench/agent/run.ts [--units 50] [--seconds 60] [--reps 3]
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { up } from "../../src/cluster/dev/cluster.js";
import { nodeNames } from "../../src/cluster/dev/layout.js";
import { nodeClient, testLayout } from "../../test/support/dev-cluster.js";
import { buildBusyboxImage } from "../../test/support/busybox-image.js";
import { cpuNs } from "../router/cpu.js";

const { values: args } = parseArgs({
  options: {
    units: { type: "string", default: "50" },
    seconds: { type: "string", default: "60" },
    reps: { type: "string", default: "3" },
  },
});
const UNITS = Number(args.units);
const SECONDS = Number(args.seconds);
const REPS = Number(args.reps);
const MODES = ["idle", "cgroup", "oneshot", "streams"] as const;
type Mode = (typeof MODES)[number];
const IMAGE = "wharf-bench/agent-busybox:1";
const LABEL = "wharf.bench=agent";

function daemonPids(cgroup: string): number[] {
  return readFileSync(`/sys/fs/cgroup/pids/${cgroup}/cgroup.procs`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map(Number);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Run {
  agentPct: number;
  daemonsPct: number;
  samples: number;
}

async function runMode(mode: Mode, socket: string, daemonCgroup: string): Promise<Run> {
  const child = fork(fileURLToPath(new URL("./mode.ts", import.meta.url)), [mode, socket, String(SECONDS)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let start: { at: bigint; agent: number; daemons: number } | undefined;
  let result: Run | undefined;
  await new Promise<void>((resolve, reject) => {
    child.on("message", (m: { ready?: boolean; samples?: number }) => {
      const agent = cpuNs([child.pid!]);
      const daemons = cpuNs(daemonPids(daemonCgroup));
      const at = process.hrtime.bigint();
      if (m.ready) start = { at, agent, daemons };
      else if (start && m.samples !== undefined) {
        const wall = Number(at - start.at);
        result = {
          agentPct: ((agent - start.agent) / wall) * 100,
          daemonsPct: ((daemons - start.daemons) / wall) * 100,
          samples: m.samples,
        };
      }
    });
    child.once("exit", (code) =>
      result ? resolve() : reject(new Error(`mode ${mode} exited ${code} without a result`)),
    );
  });
  return result!;
}

async function main(): Promise<void> {
  const l = testLayout();
  const info = await up(3, l);
  const node = info.nodes[0]!;
  const names = nodeNames(l, 1);
  const docker = nodeClient(info, 0);
  const clean = async () => {
    for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [LABEL] }) }))
      await docker.getContainer(c.Id).remove({ force: true });
  };
  await clean();
  await buildBusyboxImage(docker, IMAGE);
  console.log(`starting ${UNITS} busybox units on ${node.name} (${node.address})...`);
  for (let i = 0; i < UNITS; i++) {
    const c = await docker.createContainer({
      Image: IMAGE,
      Cmd: ["sleep", "100000"],
      Labels: { "wharf.managed": "true", "wharf.unit": `bench-${i}`, "wharf.bench": "agent" },
    });
    await c.start();
  }
  const runs = new Map<Mode, Run[]>(MODES.map((m) => [m, []]));
  try {
    for (let rep = 1; rep <= REPS; rep++)
      for (const mode of MODES) {
        const r = await runMode(mode, node.socket, names.daemonCgroup);
        runs.get(mode)!.push(r);
        console.log(
          `rep ${rep} ${mode.padEnd(8)} sampler ${r.agentPct.toFixed(3)}%  node daemons ${r.daemonsPct.toFixed(3)}%  (${r.samples} samples)`,
        );
      }
  } finally {
    await clean();
  }
  const med = (m: Mode, k: "agentPct" | "daemonsPct") => median(runs.get(m)!.map((r) => r[k]));
  const idle = med("idle", "agentPct") + med("idle", "daemonsPct");
  console.log(`\nmedians of ${REPS} repetitions, ${SECONDS} s each, ${UNITS} units, % of one CPU:`);
  console.log("  mode      sampler  daemons  total   over idle");
  for (const m of MODES) {
    const a = med(m, "agentPct");
    const d = med(m, "daemonsPct");
    console.log(
      `  ${m.padEnd(8)} ${a.toFixed(3).padStart(7)}  ${d.toFixed(3).padStart(7)}  ${(a + d).toFixed(3).padStart(6)}  ${(a + d - idle).toFixed(3).padStart(8)}`,
    );
  }
  const cost = med("cgroup", "agentPct") + med("cgroup", "daemonsPct") - idle;
  const oneshot = med("oneshot", "agentPct") + med("oneshot", "daemonsPct") - idle;
  const streams = med("streams", "agentPct") + med("streams", "daemonsPct") - idle;
  console.log(
    `\nagent sampling (cgroup) costs ${cost.toFixed(3)}% of one CPU over idle: goal < 1% ${cost < 1 ? "met" : "NOT met"}; ` +
      `one-shot stats ${oneshot.toFixed(3)}% (${(oneshot / Math.max(cost, 0.001)).toFixed(1)}x), ` +
      `streams ${streams.toFixed(3)}% (${(streams / Math.max(cost, 0.001)).toFixed(1)}x)`,
  );
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
