// Entry point of a router worker process (forked by workers.ts). Serves traffic with the table the
// primary sends; never talks to the store itself.
import { AggregatorRegistry } from "prom-client";
import { createRouter, type Router } from "./server.js";
import { StaticCertificateSource } from "./tls.js";
import type { FromWorker, ToWorker } from "./workers.js";
import { startWindowFlush } from "./window-flush.js";

let router: Router | undefined;
const certs = new StaticCertificateSource();
const early: ToWorker[] = [];

function reply(m: FromWorker): void {
  process.send?.(m);
}

process.on("message", (m: ToWorker) => {
  if (m.t === "config") {
    router = createRouter({ ...m.config, certificates: certs, workers: 1 });
    // Lets the primary's AggregatorRegistry collect this worker's metrics over IPC.
    AggregatorRegistry.setRegistries([router.metrics.registry]);
    // Constructing one is what installs prom-client's worker-side IPC listener.
    new AggregatorRegistry();
    const r = router;
    if (m.config.windows)
      startWindowFlush(
        () => r.metrics.takeWindows(),
        (ts, windows) => reply({ t: "windows", ts, windows }),
      );
    for (const e of early.splice(0)) handle(e);
    router.listen().then(
      () => {
        const a = router!.addresses;
        reply({ t: "ready", ...(a.http ? { http: a.http } : {}), ...(a.https ? { https: a.https } : {}) });
      },
      (err) => {
        console.error("router worker could not listen:", (err as Error).message);
        process.exit(1);
      },
    );
    return;
  }
  if (!router) early.push(m);
  else handle(m);
});

reply({ t: "hello" });

function handle(m: ToWorker): void {
  switch (m.t) {
    case "snapshot":
      router!.snapshot(m.snap);
      return;
    case "update":
      router!.update(m.updates);
      return;
    case "certs":
      certs.replaceAll(m.certs);
      return;
    case "shutdown":
      router!.close().finally(() => process.exit(0));
      return;
  }
}
