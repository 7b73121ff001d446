#!/usr/bin/env node
// Runs one tier of tests (unit | integration | e2e | browser) with node's built-in runner.
// Node 20's --test does not expand globs or pick up .ts files, so we list them here
// and load TypeScript through tsx.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const tier = process.argv[2];
const TIERS = ["unit", "integration", "e2e", "browser"];
if (![...TIERS, "all"].includes(tier ?? "")) {
  console.error("usage: run-tests.mjs unit|integration|e2e|browser|all [path-part[,path-part...]]");
  process.exit(2);
}
// Comma-separated parts of paths: a file runs when its path contains any of them.
const filters = process.argv[3]?.split(",").filter(Boolean);

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith(".test.ts") && (!filters || filters.some((f) => p.includes(f)))) out.push(p);
  }
  return out;
}
// "all" runs the unit tier in one runner, then the other tiers in another (each prints its summary).
const tiers = tier === "all" ? TIERS : [tier];
const filesOf = (ts) => ts.flatMap((t) => (existsSync(join("test", t)) ? walk(join("test", t)).sort() : []));
const groups = [tiers.filter((t) => t === "unit"), tiers.filter((t) => t !== "unit")]
  .map((ts) => ({ tiers: ts, files: filesOf(ts) }))
  .filter((g) => g.files.length > 0);
if (groups.length === 0) {
  console.error(`no ${tier} tests found`);
  process.exit(1);
}

function runGroup({ tiers: ts, files }) {
  // Unit tests are pure and many of them wait on timers: four files at a time take a quarter of
  // the time. Integration, e2e and browser tests share one machine's Docker engines and cluster:
  // one file at a time.
  const concurrency = ts.includes("unit") ? "--test-concurrency=4" : "--test-concurrency=1";
  // The e2e and browser files share one test cluster (test/support/dev-cluster.ts, sharedCluster):
  // each starts from empty nodes, and it comes down here once they are all done.
  const shareCluster = ts.some((t) => t === "e2e" || t === "browser");
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", concurrency, ...files], {
    stdio: "inherit",
    env: { ...process.env, ...(shareCluster ? { WHARF_TEST_SHARED_CLUSTER: "1" } : {}) },
  });
  if (shareCluster) {
    const script = join("test", "support", "down-test-cluster.ts");
    const down = spawnSync(process.execPath, ["--import", "tsx", script], { stdio: "inherit" });
    if (down.status !== 0) console.error("run-tests: bringing the shared test cluster down failed");
  }
  return r.status ?? 1;
}

const statuses = groups.map(runGroup);
const failed = groups.filter((_, i) => statuses[i] !== 0).map((g) => g.tiers.join("+"));
if (groups.length > 1)
  console.log(failed.length ? `# failed tiers: ${failed.join(", ")}` : "# every tier passed");
process.exit(failed.length ? 1 : 0);
