// Healing bench: ROUNDS (default 10) chaos rounds on the 3-node test cluster with a
// bounded load through the router; prints each round and p50/max of detection time and of
// time from node loss to full capacity routable (goal: <= 10 s).
//   WHARF_TEST_SLOT=<n> node --import tsx bench/healing/run.ts [rounds]
// Detection is tuned as in the e2e test (CHAOS_ENV); override with the same variables.
import { setupWharf } from "../../test/support/wharf-e2e.js";
import {
  CHAOS_ENV,
  chaosRound,
  deployChaosApp,
  describeRound,
  percentile,
  type RoundResult,
} from "./chaos.js";

const rounds = Number(process.argv[2] ?? process.env.WHARF_HEAL_ROUNDS ?? 10);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error("usage: run.ts [rounds]  (a positive whole number)");
  process.exit(2);
}
const env: Record<string, string> = { ...CHAOS_ENV };
for (const k of Object.keys(CHAOS_ENV)) if (process.env[k]) env[k] = process.env[k]!;
const app = { name: "healbench", web: 3, worker: 1 };

const w = await setupWharf({ prefix: "healbench", env });
const results: RoundResult[] = [];
try {
  await deployChaosApp(w, app);
  for (let i = 0; i < rounds; i++) {
    const r = await chaosRound(w, app, i + 1, i % w.info.nodes.length);
    console.log(describeRound(r));
    results.push(r);
  }
} finally {
  await w.close();
}
const s = (xs: number[]) =>
  `p50 ${(percentile(xs, 50) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s`;
console.log(`\nsettings: ${JSON.stringify(env)}; app: ${app.web} web + ${app.worker} worker units`);
console.log(`detection (node killed -> node list unhealthy): ${s(results.map((r) => r.detectMs))}`);
console.log(
  `full capacity routable (node killed -> all units started on live nodes, web routable): ${s(results.map((r) => r.fullMs))}`,
);
const req = results.reduce((a, r) => a + r.requests, 0);
const fail = results.reduce((a, r) => a + r.failures, 0);
console.log(
  `requests through the router: ${req}, failed ${fail}; units lost: 0 (every round asserted full capacity and no duplicates)`,
);
const ok = Math.max(...results.map((r) => r.fullMs)) <= 10_000;
console.log(`goal <= 10 s to full capacity: ${ok ? "met" : "NOT met"} (max)`);
