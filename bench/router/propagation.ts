// Propagation: time from a route-table update call to the first request served by the new backend.
// A client keeps requesting the app; each trial adds a fresh backend and waits for its first hit.
// The backend stamps the moment it receives the request, so client scheduling does not inflate it.
import { createServer, request, Agent, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RouteSink } from "../../src/router/source.js";

export interface PropagationResult {
  trials: number;
  p50ms: number;
  maxms: number;
  /** Median time the update call itself took (the store commit, for a store sink). */
  writeP50ms: number;
}

async function backend(onHit: () => void, id: string): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    onHit();
    req.resume();
    res.end(id);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as AddressInfo).port, server };
}

/** A sink whose update may be asynchronous (a store write): timing starts when it resolves. */
export interface PropagationSink {
  snapshot: RouteSink["snapshot"];
  update(u: Parameters<RouteSink["update"]>[0]): void | Promise<unknown>;
}

export async function measurePropagation(
  sink: PropagationSink,
  routerPort: number,
  trials = 20,
): Promise<PropagationResult> {
  const base = await backend(() => undefined, "base");
  sink.snapshot({ apps: [{ app: "prop", backends: [{ id: "base", host: "127.0.0.1", port: base.port }] }] });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let stop = false;
  // Four concurrent request loops so some request is always about to be routed.
  const loops = Array.from({ length: 4 }, async () => {
    while (!stop) {
      await new Promise<void>((resolve) => {
        const r = request(
          { host: "127.0.0.1", port: routerPort, headers: { host: "prop.bench.local" }, agent },
          (res) => {
            res.resume();
            res.on("end", resolve);
          },
        );
        r.on("error", () => resolve());
        r.end();
      });
    }
  });
  const times: number[] = [];
  const writeMs: number[] = [];
  for (let i = 0; i < trials; i++) {
    let firstHit: (at: number) => void = () => undefined;
    const hit = new Promise<number>((r) => (firstHit = r));
    let seen = false;
    const b = await backend(() => {
      if (!seen) {
        seen = true;
        firstHit(performance.now());
      }
    }, `new-${i}`);
    const start = performance.now();
    // For a store write, time runs from the write returning (as from `unit add` returning); a hit
    // landing before the caller resumed counts as 0.
    await sink.update([
      { op: "add-backend", app: "prop", backend: { id: `new-${i}`, host: "127.0.0.1", port: b.port } },
    ]);
    const t0 = performance.now();
    const at = await hit;
    times.push(Math.max(0, at - t0));
    writeMs.push(t0 - start);
    await sink.update([{ op: "remove-backend", app: "prop", id: `new-${i}` }]);
    await new Promise((r) => setTimeout(r, 20));
    b.server.closeAllConnections();
    b.server.close();
  }
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  base.server.closeAllConnections();
  base.server.close();
  times.sort((a, b) => a - b);
  writeMs.sort((a, b) => a - b);
  return {
    trials,
    p50ms: times[Math.floor(times.length / 2)]!,
    maxms: times[times.length - 1]!,
    writeP50ms: writeMs[Math.floor(writeMs.length / 2)]!,
  };
}
