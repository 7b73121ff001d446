// The benchmark workload: a simulated cluster (two pools, five zones each, mixed node
// sizes, engine spec labels) and 30,000 units of 300 apps, each app with a plan
// (memory reservation) and one constraint. Deterministic from a seed.
import { seededRng, type NodeSpec, type UnitRequest } from "../../src/scheduler/index.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
export const ZONES = 5;
const SIZES = [
  { cpus: 4, memory: 16 * GiB },
  { cpus: 8, memory: 32 * GiB },
  { cpus: 16, memory: 64 * GiB },
  { cpus: 32, memory: 128 * GiB },
];
const PLANS = [64 * MiB, 128 * MiB, 256 * MiB];
const CONSTRAINTS = ["disk==ssd", "kernelversion!=3.*", "storagedriver==overlay*"];

export function makeNodes(n: number, seed = 1): NodeSpec[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const size = SIZES[Math.floor(rng() * SIZES.length)]!;
    return {
      id: `node-${i}`,
      address: `https://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:2376`,
      cpus: size.cpus,
      memory: size.memory,
      // One node in five serves the "batch" pool; zones cut across both pools.
      metadata: { pool: i % 5 === 4 ? "batch" : "web", zone: `z${Math.floor(rng() * ZONES)}`, iaas: "ec2" },
      labels: {
        storagedriver: "overlay2",
        kernelversion: rng() < 0.1 ? "3.13.0-170-generic" : "5.10.0-28-amd64",
        operatingsystem: "Debian GNU/Linux 12 (bookworm)",
        ostype: "linux",
        disk: rng() < 2 / 3 ? "ssd" : "hdd",
      },
    };
  });
}

/** Units interleaved across apps, as concurrent deploys would arrive. */
export function makeUnits(apps = 300, unitsPerApp = 100): UnitRequest[] {
  const out: UnitRequest[] = [];
  for (let u = 0; u < unitsPerApp; u++) {
    for (let a = 0; a < apps; a++) {
      out.push({
        app: `app-${a}`,
        process: "web",
        pool: a % 5 === 4 ? "batch" : "web",
        team: `team-${a % 20}`,
        memory: PLANS[a % PLANS.length]!,
        constraints: [CONSTRAINTS[a % CONSTRAINTS.length]!],
      });
    }
  }
  return out;
}
