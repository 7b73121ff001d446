// Command line for the Kubernetes API STAND-IN (see server.ts), so people can point
// kubectl at it:  node --import tsx test/support/kube/main.ts --port 6443 [--nodes 2] [--dir DIR]
// It prints a kubeconfig (also written to DIR/kubeconfig) and serves until interrupted.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { KubeStandIn } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "6443" },
    host: { type: "string", default: "127.0.0.1" },
    nodes: { type: "string", default: "2" },
    dir: { type: "string" },
    "bookmark-interval-ms": { type: "string", default: "60000" },
  },
});
const port = Number(values.port);
const host = values.host!;
if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== "localhost") {
  console.error(`--host ${host}: the stand-in listens on loopback only (127.0.0.0/8)`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port ${values.port}: give a port number between 0 and 65535`);
  process.exit(2);
}
if (values.dir) mkdirSync(values.dir, { recursive: true, mode: 0o700 });
const standIn = await new KubeStandIn({
  host,
  port,
  nodes: Number(values.nodes),
  bookmarkIntervalMs: Number(values["bookmark-interval-ms"]),
  ...(values.dir ? { dir: values.dir } : {}),
}).start();
const config = standIn.kubeconfig();
if (values.dir) writeFileSync(join(values.dir, "kubeconfig"), config, { mode: 0o600 });
process.stdout.write(config);
console.error(
  `Kubernetes API stand-in serving at ${standIn.url}${values.dir ? `; kubeconfig in ${join(values.dir, "kubeconfig")}` : ""} (Ctrl-C stops it)`,
);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void standIn.stop().then(() => process.exit(0));
  });
}
