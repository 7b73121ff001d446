// Healing bench: ROUNDS (default 10) chaos rounds of each kind of node loss (a killed dockerd,
// a cut link), alternating, on the 3-node test cluster with a bounded load through the
// router. Prints each round, then per kind p50/max of detection time and of time from node
// loss to full capacity routable (goal: <= 10 s), failed requests, units lost and whether
// the store matched the nodes after every round.
//   WHARF_TEST_SLOT=<n> node --import tsx bench/healing/run.ts [rounds]
// Detection is tuned as in the e2e test (CHAOS_ENV); override with the same variables.
import { setupWharf } from "../../test/support/wharf-e2e.js";
import {
  CHAOS_ENV,
  chaosRound,
  deployChaosApp,
  describeRound,
  percentile,
  type NodeLoss,
  type RoundResult,
} from "./chaos.js";

const rounds = Number(process.argv[2] ?? process.env.WHARF_HEAL_ROUNDS ?? 10);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error("usage: run.ts [rounds]  (a positive whole number of rounds of each kind)");
  process.exit(2);
}
const env: Record<string, string> = { ...CHAOS_ENV };
for (const k of Object.keys(CHAOS_ENV)) if (process.env[k]) env[k] = process.env[k]!;
const app = { name: "healbench", web: 3, worker: 1 };
const kinds: NodeLoss[] = ["kill", "cut"];

const w = await setupWharf({ prefix: "healbench", env });
const results: RoundResult[] = [];
try {
  await deployChaosApp(w, app);
  let round = 0;
  for (let i = 0; i < rounds; i++)
    for (const kind of kinds) {
      round++;
      const r = await chaosRound(w, app, round, round % w.info.nodes.length, kind);
      console.log(describeRound(r));
      results.push(r);
    }
} finally {
  await w.close();
}

const secs = (xs: number[]) =>
  `p50 ${(percentile(xs, 50) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s`;
const sum = (rs: RoundResult[], f: (r: RoundResult) => number) => rs.reduce((a, r) => a + f(r), 0);
console.log(`\nsettings: ${JSON.stringify(env)}; app: ${app.web} web + ${app.worker} worker units`);
for (const kind of kinds) {
  const rs = results.filter((r) => r.kind === kind);
  const label = kind === "kill" ? "dockerd killed" : "link cut";
  console.log(`\n${label} (${rs.length} rounds):`);
  console.log(`  detection (node lost -> node list unhealthy): ${secs(rs.map((r) => r.detectMs))}`);
  console.log(
    `  full capacity routable (node lost -> all units started on live nodes, web routable): ${secs(rs.map((r) => r.fullMs))}`,
  );
  console.log(
    `  requests through the router: ${sum(rs, (r) => r.requests)}, failed ${sum(rs, (r) => r.failures)} ` +
      `(${sum(rs, (r) => r.failuresAfterFull)} after full capacity)`,
  );
  console.log(
    `  units lost: ${sum(rs, (r) => r.lost)}; rounds not at full capacity after the node returned: ` +
      `${rs.filter((r) => !r.fullAfter).length}; rounds with store != nodes: ${rs.filter((r) => r.problems.length).length}`,
  );
  const ok = Math.max(...rs.map((r) => r.fullMs)) <= 10_000;
  console.log(`  goal <= 10 s to full capacity: ${ok ? "met" : "NOT met"} (max)`);
}
