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
  console.error("usage: run-tests.mjs unit|integration|e2e|browser|all [name-filter]");
  process.exit(2);
}
const filter = process.argv[3];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith(".test.ts") && (!filter || p.includes(filter))) out.push(p);
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
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", ...concurrency, ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
