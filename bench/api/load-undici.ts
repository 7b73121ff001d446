// Load from undici in this process (when wrk is not installed): a closed loop of
// CONCURRENCY keep-alive connections, each sending its next request when the answer
// arrives. Bounded by BENCH_REQUESTS and BENCH_SECONDS. Its own CPU per request is in the
// tens of µs, so pinned to its own core it still shares nothing with the server.
import type { Pool } from "undici";
import { probeFigures, type Result, type Scenario, type ServerProbe } from "./scenarios.js";

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function runUndici(
  pool: Pool,
  s: Scenario,
  token: string,
  o: { maxRequests: number; seconds: number; warmup: number; concurrency: number; probe: ServerProbe },
): Promise<Result> {
  const send = async (i: number, prefix: string) => {
    const r = s.make(i, prefix);
    const res = await pool.request({
      method: s.method,
      path: r.path,
      headers: {
        authorization: `bearer ${token}`,
        ...(r.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(r.body ? { body: r.body } : {}),
    });
    await res.body.text();
    return res.statusCode;
  };
  // Warm-up (not measured): JIT, caches and connections settle before the clock starts.
  let w = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (w < o.warmup) await send(w++, "warm-");
    }),
  );
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const deadline = Date.now() + o.seconds * 1000;
  const t0 = process.hrtime.bigint();
  const before = { cpu: o.probe.cpuMs(), wait: o.probe.waitMs() };
  const worker = async (): Promise<void> => {
    while (next < o.maxRequests && Date.now() < deadline) {
      const started = process.hrtime.bigint();
      const status = await send(next++, "run-");
      lat.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (status !== s.okStatus) errors++;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const figures = probeFigures(o.probe, before, lat.length, secs);
  lat.sort((a, b) => a - b);
  return {
    name: s.name,
    n: lat.length,
    errors,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    rps: lat.length / secs,
    ...figures,
  };
}
