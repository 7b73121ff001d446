// Multi-core mode: the primary process owns the route source, certificates and admin port; one worker
// per core serves traffic on the shared ports. The primary keeps the current table and broadcasts
// every snapshot/update over IPC, so each worker holds the same table; a restarted worker gets the
// current one before it takes traffic.
import cluster, { type Worker } from "node:cluster";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { AggregatorRegistry } from "prom-client";
import { startAdmin } from "./admin.js";
import type { ResolvedConfig, RouterConfig } from "./config.js";
import type { RouteSink } from "./source.js";
import { RouteTable } from "./table.js";
import { StaticCertificateSource, type CertificatePair } from "./tls.js";
import type { Backend, RouteSnapshot, RouteUpdate } from "./types.js";
import type { AppWindow } from "./metrics.js";

/** Messages primary → worker. */
export type ToWorker =
  | { t: "config"; config: WorkerConfig }
  | { t: "snapshot"; snap: RouteSnapshot }
  | { t: "update"; updates: RouteUpdate[] }
  | { t: "certs"; certs: Record<string, CertificatePair> }
  | { t: "shutdown" };
/** Messages worker → primary. */
export type FromWorker =
  | { t: "hello" }
  | { t: "ready"; http?: AddressInfo; https?: AddressInfo }
  | { t: "windows"; ts: number; windows: AppWindow[] };

/** The serializable part of the config (no source, no logger objects, no certificate source). */
export type WorkerConfig = Omit<
  RouterConfig,
  "source" | "certificates" | "accessLog" | "admin" | "workers" | "onWindows"
> & {
  accessLog: boolean;
  /** Send the per-step windows to the primary (it has an onWindows). */
  windows: boolean;
};

export interface ClusterHandle extends RouteSink {
  readonly workers: number;
  readonly addresses: { http?: AddressInfo; https?: AddressInfo; admin?: AddressInfo };
  setCertificates(certs: Record<string, CertificatePair>): void;
  close(): Promise<void>;
}

function workerEntry(): string {
  // Under tsx this module is a .ts file and so is the entry; compiled, both are .js.
  const ext = extname(fileURLToPath(import.meta.url));
  return fileURLToPath(new URL("./worker-main" + ext, import.meta.url));
}

export async function startCluster(cfg: ResolvedConfig): Promise<ClusterHandle> {
  // Round-robin hand-off by the primary (the default on Linux) costs one hand-off per *connection*,
  // and keep-alive clients make few. SCHED_NONE (all workers accept on one socket) let the kernel
  // wake the same worker most of the time: measured 17.6k vs 27.0k req/s on 2 cores (bench/router).
  // WHARF_ROUTER_SCHED=none restores it for workloads of many short connections.
  cluster.schedulingPolicy =
    process.env.WHARF_ROUTER_SCHED === "none" ? cluster.SCHED_NONE : cluster.SCHED_RR;
  // A larger young generation makes scavenges rarer: per-request garbage dies young, and each
  // scavenge pauses every request in flight on the worker. V8 grows the young generation only when
  // much survives, which a proxy's garbage never does, so a maximum alone changes nothing: the
  // minimum is what takes scavenges from ~16/s to ~4/s at 40k req/s (bench/router).
  const semiMb = Number(process.env.WHARF_ROUTER_SEMI_SPACE_MB ?? 16) || 16;
  const execArgv = [
    ...process.execArgv,
    `--min-semi-space-size=${semiMb}`,
    `--max-semi-space-size=${Math.max(64, semiMb)}`,
  ];
  cluster.setupPrimary({ exec: workerEntry(), args: [], execArgv, silent: false });

  const table = new RouteTable<Backend>(cfg.domain, { materialize: (_app, b) => b });
  const certs = new StaticCertificateSource(
    cfg.certificates instanceof StaticCertificateSource ? cfg.certificates.toJSON() : {},
  );
  const workerConfig: WorkerConfig = {
    domain: cfg.domain,
    ...(cfg.http ? { http: cfg.http } : {}),
    ...(cfg.https ? { https: cfg.https } : {}),
    maxHeaderSize: cfg.maxHeaderSize,
    maxBodyBytes: cfg.maxBodyBytes,
    connectTimeoutMs: cfg.connectTimeoutMs,
    headersTimeoutMs: cfg.headersTimeoutMs,
    idleTimeoutMs: cfg.idleTimeoutMs,
    totalTimeoutMs: cfg.totalTimeoutMs,
    keepAliveTimeoutMs: cfg.keepAliveTimeoutMs,
    connectionsPerBackend: cfg.connectionsPerBackend,
    retries: cfg.retries,
    passive: cfg.passive,
    activeHealth: cfg.activeHealth,
    drainTimeoutMs: cfg.drainTimeoutMs,
    accessLog: cfg.accessLog === true,
    windows: cfg.onWindows !== undefined,
  };
  const live = new Set<Worker>();
  const addresses: ClusterHandle["addresses"] = {};
  let closing = false;

  const send = (w: Worker, m: ToWorker) => {
    if (w.isConnected()) w.send(m);
  };
  const broadcast = (m: ToWorker) => {
    for (const w of live) send(w, m);
  };

  function fork(): Promise<Worker> {
    const w = cluster.fork();
    return new Promise((resolve, reject) => {
      w.on("message", (m: FromWorker) => {
        if (m.t === "hello") {
          // The worker's message listener exists only once its modules loaded ('online' is earlier
          // and messages sent then are lost): config first, then the current table and certificates.
          send(w, { t: "config", config: workerConfig });
          send(w, { t: "snapshot", snap: table.snapshot() });
          send(w, { t: "certs", certs: certs.toJSON() });
        } else if (m.t === "windows") {
          cfg.onWindows?.(m.ts, m.windows, `w${w.id}`);
        } else if (m.t === "ready") {
          if (m.http) addresses.http = m.http;
          if (m.https) addresses.https = m.https;
          live.add(w);
          resolve(w);
        }
      });
      w.once("exit", (code) => {
        live.delete(w);
        reject(new Error(`router worker exited with code ${code} before it was ready`));
        // A crashed worker is replaced; the others keep serving meanwhile.
        if (!closing) fork().catch(() => undefined);
      });
    });
  }

  const workers = Math.max(1, cfg.workers);
  // Port 0 works too: the cluster module shares one handle per (address, port) key, so every worker
  // asking for port 0 gets the same listening socket.
  await Promise.all(Array.from({ length: workers }, () => fork()));

  let admin: Server | undefined;
  if (cfg.admin) {
    const agg = new AggregatorRegistry();
    admin = await startAdmin(cfg.admin, () => agg.clusterMetrics(), agg.contentType);
    addresses.admin = admin.address() as AddressInfo;
  }

  return {
    workers,
    addresses,
    snapshot(snap) {
      table.applySnapshot(snap);
      broadcast({ t: "snapshot", snap });
    },
    update(updates) {
      table.applyUpdates(updates);
      broadcast({ t: "update", updates });
    },
    setCertificates(all) {
      certs.replaceAll(all);
      broadcast({ t: "certs", certs: all });
    },
    async close() {
      closing = true;
      const exits = [...live].map((w) => new Promise<void>((r) => w.once("exit", () => r())));
      broadcast({ t: "shutdown" });
      await Promise.all(exits);
      admin?.close();
      admin?.closeAllConnections();
    },
  };
}
