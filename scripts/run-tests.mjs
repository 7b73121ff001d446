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
// "all" runs every tier in one runner, unit first, so the summary at the end counts everything.
const tiers = tier === "all" ? TIERS : [tier];
const files = tiers.flatMap((t) => (existsSync(join("test", t)) ? walk(join("test", t)).sort() : []));
if (files.length === 0) {
  console.error(`no ${tier} tests found`);
  process.exit(1);
}
// Integration, e2e and browser tests share one machine's Docker engines and cluster: run files one at a time.
const concurrency = tier === "unit" ? [] : ["--test-concurrency=1"];
// The e2e and browser files share one test cluster (test/support/dev-cluster.ts, sharedCluster):
// each starts from empty nodes, and it comes down here once they are all done.
const shareCluster = tiers.some((t) => t === "e2e" || t === "browser");
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", ...concurrency, ...files], {
  stdio: "inherit",
  env: { ...process.env, ...(shareCluster ? { WHARF_TEST_SHARED_CLUSTER: "1" } : {}) },
});
if (shareCluster) {
  const down = spawnSync(
    process.execPath,
    ["--import", "tsx", join("test", "support", "down-test-cluster.ts")],
    {
      stdio: "inherit",
    },
  );
  if (down.status !== 0) console.error("run-tests: bringing the shared test cluster down failed");
}
process.exit(r.status ?? 1);
