// Router configuration with defaults. Every limit the proxy enforces is here, in one place.
import type { Logger } from "pino";
import type { PassiveHealthOptions } from "./balancer.js";
import type { ActiveHealthOptions } from "./health.js";
import type { RouteSource } from "./source.js";
import type { CertificatePair, CertificateSource } from "./tls.js";
import type { AppWindow } from "./metrics.js";

export interface Listen {
  port: number;
  /** Default 0.0.0.0 for the data ports, 127.0.0.1 for the admin port. */
  host?: string;
}

export interface RouterConfig {
  /** Apps answer at <app>.<domain>. */
  domain: string;
  http?: Listen;
  https?: Listen & { defaultCert?: CertificatePair };
  /** Metrics (/metrics) and liveness (/healthz), never on the data ports. */
  admin?: Listen;
  certificates?: CertificateSource;
  source?: RouteSource;
  /** Processes serving traffic; 1 = this process only. Default: one per core. */
  workers?: number;
  maxHeaderSize?: number;
  maxBodyBytes?: number;
  connectTimeoutMs?: number;
  /** Hung backend: no response headers within this → 504. */
  headersTimeoutMs?: number;
  /** Idle gap in a response body → 504 / cut. */
  idleTimeoutMs?: number;
  /** Whole request; 0 disables. */
  totalTimeoutMs?: number;
  /** Client keep-alive idle time. */
  keepAliveTimeoutMs?: number;
  connectionsPerBackend?: number;
  retries?: number;
  passive?: Partial<PassiveHealthOptions>;
  activeHealth?: Partial<ActiveHealthOptions>;
  /** Access log: false = off, true = pino to stdout, or a logger. */
  accessLog?: boolean | Logger;
  /** How long close() waits for in-flight requests before cutting them. */
  drainTimeoutMs?: number;
  /**
   * Receives what was counted per app in each 10 s step (src/metrics), once per step; `part`
   * names the worker process ("" in-process), so each worker's counts stay their own rows.
   */
  onWindows?: (stepTs: number, windows: AppWindow[], part: string) => void;
}

export type ResolvedConfig = Required<
  Omit<
    RouterConfig,
    "http" | "https" | "admin" | "certificates" | "source" | "passive" | "activeHealth" | "onWindows"
  >
> & {
  http?: Listen;
  https?: RouterConfig["https"];
  admin?: Listen;
  certificates?: CertificateSource;
  source?: RouteSource;
  onWindows?: RouterConfig["onWindows"];
  passive: PassiveHealthOptions;
  activeHealth: ActiveHealthOptions;
};

export function resolveConfig(c: RouterConfig, cores: number): ResolvedConfig {
  return {
    ...c,
    workers: c.workers ?? cores,
    maxHeaderSize: c.maxHeaderSize ?? 16 * 1024,
    maxBodyBytes: c.maxBodyBytes ?? 1024 * 1024 * 1024,
    connectTimeoutMs: c.connectTimeoutMs ?? 5_000,
    headersTimeoutMs: c.headersTimeoutMs ?? 60_000,
    idleTimeoutMs: c.idleTimeoutMs ?? 60_000,
    totalTimeoutMs: c.totalTimeoutMs ?? 0,
    keepAliveTimeoutMs: c.keepAliveTimeoutMs ?? 65_000,
    connectionsPerBackend: c.connectionsPerBackend ?? 128,
    retries: c.retries ?? 2,
    accessLog: c.accessLog ?? false,
    drainTimeoutMs: c.drainTimeoutMs ?? 30_000,
    passive: { maxFailures: 3, ejectMs: 10_000, ...c.passive },
    activeHealth: { intervalMs: 5_000, timeoutMs: 2_000, ...c.activeHealth },
  };
}
