// One router for before-after.ts, in its own process so its CPU is its own: the router of the
// source tree at ROOT (this checkout, or a ref exported by before-after.ts), one process, access
// log off, routing app "bench" to the backend. With --windows it hands its per-step request
// counts on as the store router does (the option is ignored by a router that predates it).
// Usage: node --import tsx bench/router/serve.ts ROOT PORT BACKEND_PORT [--windows]
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [root, port, backendPort, flag] = process.argv.slice(2);
const mod = (await import(pathToFileURL(join(root!, "src", "router", "index.ts")).href)) as {
  startRouter: (c: Record<string, unknown>) => Promise<{
    snapshot(s: unknown): void;
    close(): Promise<void>;
  }>;
};
const router = await mod.startRouter({
  domain: "bench.local",
  http: { port: Number(port), host: "127.0.0.1" },
  workers: 1,
  accessLog: false,
  ...(flag === "--windows" ? { onWindows: () => undefined } : {}),
});
router.snapshot({
  apps: [{ app: "bench", backends: [{ id: "b1", host: "127.0.0.1", port: Number(backendPort) }] }],
});
process.send?.({ ready: true });
process.on("disconnect", () => void router.close().then(() => process.exit(0)));
