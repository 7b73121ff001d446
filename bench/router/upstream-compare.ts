// Which upstream client for the proxy: the router (H1Pool since it replaced undici) or node's
// http.Agent with keepAlive? One process each, same backend, wrk interleaved. The http.Agent proxy
// here is deliberately bare (no metrics, no balancing), so it is the upper bound for that approach.
// Usage: node --import tsx bench/router/upstream-compare.ts [--seconds 5] [--reps 3]
import { fork } from "node:child_process";
import { createServer, request, Agent } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRouter } from "../../src/router/index.js";
import { waitForPort } from "./nginx.js";
import { runWrk } from "./wrk.js";

const { values: args } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, reps: { type: "string", default: "3" } },
});
const PORTS = { backend: 18181, agent: 18182, undici: 18183 };

const backend = fork(fileURLToPath(new URL("./backend.mjs", import.meta.url)), [String(PORTS.backend)], {
  execArgv: [],
  stdio: ["ignore", "ignore", "inherit", "ipc"],
});
await waitForPort(PORTS.backend);

const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const agentProxy = createServer((req, res) => {
  const up = request(
    {
      host: "127.0.0.1",
      port: PORTS.backend,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    },
    (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    },
  );
  up.on("error", () => {
    res.statusCode = 502;
    res.end();
  });
  req.pipe(up);
});
await new Promise<void>((r) => agentProxy.listen(PORTS.agent, "127.0.0.1", () => r()));

const router = createRouter({ domain: "bench.local", http: { port: PORTS.undici, host: "127.0.0.1" } });
await router.listen();
router.snapshot({
  apps: [{ app: "bench", backends: [{ id: "b", host: "127.0.0.1", port: PORTS.backend }] }],
});

// Both proxies share this process, one at a time; wrk is a child so the event loop is theirs.
const res: Record<string, number[]> = { "http.Agent": [], "router (H1Pool)": [] };
const targets: [string, number][] = [
  ["http.Agent", PORTS.agent],
  ["router (H1Pool)", PORTS.undici],
];
const wrk = (port: number, seconds: number) =>
  runWrk({
    url: `http://127.0.0.1:${port}/`,
    host: "bench.bench.local",
    seconds,
    threads: 1,
    connections: 50,
  });
for (const [, port] of targets) await wrk(port, 2);
for (let i = 0; i < Number(args.reps); i++) {
  for (const [name, port] of targets) {
    const r = await wrk(port, Number(args.seconds));
    res[name]!.push(r.rps);
    console.log(
      `  ${name.padEnd(12)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms`,
    );
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `median req/s (single process): http.Agent ${med(res["http.Agent"]!).toFixed(0)}, router (H1Pool) ${med(res["router (H1Pool)"]!).toFixed(0)}`,
);
await router.close();
agentProxy.close();
agent.destroy();
backend.kill();
