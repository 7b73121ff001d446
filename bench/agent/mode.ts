// One sampling design, run in its own process for a fixed time (forked by run.ts, which
// reads this process's CPU time and the node daemons' from outside):
//   idle     nothing but a timer: what a Node.js process costs doing nothing (the reference)
//   cgroup   Wharf's agent sampler as shipped: one listing and one pass over the units'
//            cgroup and procfs files per 10 s step (src/agent/sampler.ts, cgroups.ts)
//   oneshot  the same sampler without the files: GET /containers/{id}/stats?stream=false
//            &one-shot=true for every unit, one after another, per step (the agent's fallback)
//   streams  GET /containers/{id}/stats?stream=true for every unit, each on its own connection,
//            every sample parsed (dockerd pushes one per container per second)
// Usage: node --import tsx bench/agent/mode.ts MODE SOCKET SECONDS
import { CgroupReader } from "../../src/agent/cgroups.js";
import { DockerSocket } from "../../src/agent/docker.js";
import { UnitSampler } from "../../src/agent/sampler.js";

const [mode, socket, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const docker = new DockerSocket(socket!);
const LABEL = "wharf.bench=agent";
let end = 0;
let samples = 0;

/** Warm-up done (containers' pids looked up, streams open): the measured window starts. */
function ready(): void {
  end = Date.now() + seconds * 1000;
  process.send?.({ ready: true });
}

async function stepLoop(sampler: UnitSampler): Promise<void> {
  await sampler.sample(await docker.listByLabel([LABEL]));
  sampler.sent(sampler.peek().length);
  ready();
  while (Date.now() < end) {
    const wait = 10_000 - (Date.now() % 10_000) + 200;
    if (Date.now() + wait > end) break;
    await new Promise((r) => setTimeout(r, wait));
    await sampler.sample(await docker.listByLabel([LABEL]));
    samples += sampler.peek().length;
    sampler.sent(sampler.peek().length);
  }
}

async function streams(): Promise<void> {
  const ids = (await docker.listByLabel([LABEL])).map((c) => c.id);
  const ac = new AbortController();
  let open = 0;
  const all = Promise.all(
    ids.map(async (id) => {
      try {
        const res = await docker.raw("GET", `/containers/${id}/stats?stream=true`, {
          signal: ac.signal,
          timeoutMs: 0,
        });
        if (++open === ids.length) ready();
        let pending = "";
        for await (const chunk of res) {
          pending += String(chunk);
          let nl: number;
          while ((nl = pending.indexOf("\n")) >= 0) {
            const s = JSON.parse(pending.slice(0, nl)) as { cpu_stats?: unknown };
            if (s.cpu_stats) samples++;
            pending = pending.slice(nl + 1);
          }
          if (end && Date.now() >= end) ac.abort();
        }
      } catch {
        // aborted at the end
      }
    }),
  );
  await all;
}

async function main(): Promise<void> {
  if (mode === "idle") {
    ready();
    await new Promise((r) => setTimeout(r, seconds * 1000));
  } else if (mode === "cgroup") {
    const reader = new CgroupReader("");
    if (!reader.available()) throw new Error("no /proc or /sys/fs/cgroup here");
    const sampler = new UnitSampler(docker, reader);
    await stepLoop(sampler);
    process.stderr.write(`cgroup pass: ${JSON.stringify(sampler.lastPass)}\n`);
  } else if (mode === "oneshot") {
    const sampler = new UnitSampler(docker, null);
    await stepLoop(sampler);
    process.stderr.write(`oneshot pass: ${JSON.stringify(sampler.lastPass)}\n`);
  } else if (mode === "streams") await streams();
  else throw new Error(`unknown mode ${mode}`);
  const left = end - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  process.send?.({ samples });
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
