// Public surface of the router: createRouter() for one in-process instance (embedding, tests),
// startRouter() for a running router (listeners, route source, one worker per core when asked).
import { availableParallelism } from "node:os";
import { resolveConfig, type RouterConfig } from "./config.js";
import { createRouter, type Router } from "./server.js";
import type { RouteSink } from "./source.js";
import { StaticCertificateSource, type CertificatePair } from "./tls.js";
import { startCluster } from "./workers.js";
import { startWindowFlush } from "./window-flush.js";

export { createRouter, type Router } from "./server.js";
export type { RouterConfig } from "./config.js";
export * from "./types.js";
export * from "./source.js";
export { RouteTable } from "./table.js";
export { StaticCertificateSource, type CertificatePair, type CertificateSource } from "./tls.js";

export interface RunningRouter extends RouteSink {
  readonly workers: number;
  readonly addresses: { http?: { port: number }; https?: { port: number }; admin?: { port: number } };
  /** Replace every certificate (in-process: the configured source must be a StaticCertificateSource). */
  setCertificates(certs: Record<string, CertificatePair>): void;
  close(): Promise<void>;
}

export async function startRouter(config: RouterConfig): Promise<RunningRouter> {
  const cfg = resolveConfig(config, availableParallelism());
  if (cfg.workers <= 1) {
    const router: Router = createRouter({ ...config, workers: 1 });
    try {
      await router.listen();
    } catch (e) {
      // One listener may be up (HTTP) when the other (HTTPS) fails: close it, or the process lingers.
      await router.close();
      throw e;
    }
    await cfg.source?.start(router);
    const onWindows = cfg.onWindows;
    const stopFlush = onWindows
      ? startWindowFlush(
          () => router.metrics.takeWindows(),
          (ts, w) => onWindows(ts, w, ""),
        )
      : undefined;
    return {
      workers: 1,
      addresses: router.addresses,
      snapshot: (s) => router.snapshot(s),
      update: (u) => router.update(u),
      setCertificates(certs) {
        if (router.certificates instanceof StaticCertificateSource) router.certificates.replaceAll(certs);
      },
      async close() {
        stopFlush?.();
        await cfg.source?.stop();
        await router.close();
      },
    };
  }
  const handle = await startCluster(cfg);
  await cfg.source?.start(handle);
  return {
    workers: handle.workers,
    addresses: handle.addresses,
    snapshot: (s) => handle.snapshot(s),
    update: (u) => handle.update(u),
    setCertificates: (c) => handle.setCertificates(c),
    async close() {
      await cfg.source?.stop();
      await handle.close();
    },
  };
}
