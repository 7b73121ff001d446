// A loopback TCP proxy in front of `wharf server` for the browser tests: the browser talks
// to the API through it, so a test can drop every open connection (a proxy restart, a
// network blip) and hold new ones off for a while, then let them through again.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface CutProxy {
  /** http://127.0.0.1:PORT: the origin the browser uses. */
  readonly url: string;
  /** Points the proxy at another upstream (the server restarted on a new port). */
  target(url: string): void;
  /** Destroys every open connection; with `holdMs`, refuses new ones that long. */
  cut(holdMs?: number): void;
  close(): Promise<void>;
}

export async function startCutProxy(upstream: string): Promise<CutProxy> {
  let up = new URL(upstream);
  let refuseUntil = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    const remote = connect({ host: up.hostname, port: Number(up.port) });
    open.add(client);
    open.add(remote);
    const drop = () => {
      client.destroy();
      remote.destroy();
      open.delete(client);
      open.delete(remote);
    };
    client.on("error", drop).on("close", drop);
    remote.on("error", drop).on("close", drop);
    client.pipe(remote);
    remote.pipe(client);
  });
  await new Promise<void>((res, rej) => server.once("error", rej).listen(0, "127.0.0.1", () => res()));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    target(url) {
      up = new URL(url);
    },
    cut(holdMs = 0) {
      refuseUntil = Date.now() + holdMs;
      for (const s of open) s.destroy();
      open.clear();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
