// Prometheus metrics for the data plane. The per-request path only bumps plain numbers per app;
// prom-client sees them when scraped (its own inc/observe hash and validate label objects on every
// call, a measurable share of a proxied request at tens of thousands of requests per second).
// The same numbers feed Wharf's own series (src/metrics): per app and 10 s step, the requests,
// errors (5xx, proxy errors included) and a log-bucket latency histogram, taken and reset by
// takeWindows() once per step (window-flush.ts).
import { Counter, Registry, type Metric } from "prom-client";
import { LATENCY_BUCKETS, latencyBucket, toSparse } from "../util/latency.js";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What one app's requests added up to since start. */
class AppStats {
  /** status code → requests answered */
  readonly codes = new Map<number, number>();
  /** status code → part of `codes` already handed to prom-client's counter */
  readonly synced = new Map<number, number>();
  /** Requests per latency bucket (not cumulative); the last slot is beyond the largest bound. */
  readonly buckets = new Float64Array(BUCKETS.length + 1);
  sum = 0;
  count = 0;
  /** This step's requests, errors and latency histogram (reset by takeWindows). */
  stepRequests = 0;
  stepErrors = 0;
  readonly stepLatency = new Uint32Array(LATENCY_BUCKETS);
  /** Steps in a row without a request; past an hour the app's windows stop. */
  idleSteps = 0;
}

/** What a router counted for one app in one step. */
export interface AppWindow {
  app: string;
  requests: number;
  errors: number;
  latency: Array<[number, number]>;
}

/** An app keeps sending (zero) windows this long after its last request, so its rates fall to 0. */
const IDLE_STEPS_KEPT = 360;

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly apps = new Map<string, AppStats>();
  private readonly upstreamErrors: Counter<"app" | "kind">;
  private readonly ejections: Counter<"app">;

  constructor() {
    const apps = this.apps;
    new Counter({
      name: "wharf_router_requests_total",
      help: "Requests answered by the router, by app and status code.",
      labelNames: ["app", "code"],
      registers: [this.registry],
      // Runs at scrape time: hands over what was counted since the previous scrape.
      collect(this: Counter<"app" | "code">) {
        for (const [app, s] of apps)
          for (const [code, n] of s.codes) {
            const d = n - (s.synced.get(code) ?? 0);
            if (d > 0) this.inc({ app, code: String(code) }, d);
            s.synced.set(code, n);
          }
      },
    });
    // A histogram in prom-client's exported shape (cumulative _bucket series, _sum, _count), read
    // from the per-app numbers; summed across workers by the cluster aggregator like its own.
    const name = "wharf_router_request_duration_seconds";
    const help = "Time from request received to response finished, by app.";
    this.registry.registerMetric({
      name,
      help,
      type: "histogram",
      aggregator: "sum",
      get: () => {
        const values: MetricValue[] = [];
        for (const [app, s] of apps) {
          let acc = 0;
          BUCKETS.forEach((le, i) => {
            acc += s.buckets[i]!;
            values.push({ labels: { le, app }, value: acc, metricName: `${name}_bucket` });
          });
          values.push({ labels: { le: "+Inf", app }, value: s.count, metricName: `${name}_bucket` });
          values.push({ labels: { app }, value: s.sum, metricName: `${name}_sum` });
          values.push({ labels: { app }, value: s.count, metricName: `${name}_count` });
        }
        return Promise.resolve({ name, help, type: "histogram", values, aggregator: "sum" });
      },
    } as unknown as Metric);
    this.upstreamErrors = new Counter({
      name: "wharf_router_upstream_errors_total",
      help: "Errors talking to app units, by app and kind (connect, connect_timeout, timeout, other).",
      labelNames: ["app", "kind"],
      registers: [this.registry],
    });
    this.ejections = new Counter({
      name: "wharf_router_ejections_total",
      help: "Units ejected by passive health checks, by app.",
      labelNames: ["app"],
      registers: [this.registry],
    });
  }

  /** One answered request; `cut`: the response was cut mid-body (a proxy error whatever its status). */
  request(app: string, code: number, seconds: number, cut = false): void {
    let s = this.apps.get(app);
    if (!s) this.apps.set(app, (s = new AppStats()));
    s.codes.set(code, (s.codes.get(code) ?? 0) + 1);
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    s.buckets[i]!++;
    s.sum += seconds;
    s.count++;
    s.stepRequests++;
    if (code >= 500 || cut) s.stepErrors++;
    s.stepLatency[latencyBucket(seconds)]!++;
  }

  /**
   * This step's window of every app that had a request within the last hour (idle ones as
   * zeros, so their rates read 0 rather than nothing), and a fresh step for all.
   */
  takeWindows(): AppWindow[] {
    const out: AppWindow[] = [];
    for (const [app, s] of this.apps) {
      if (app === "-") continue;
      if (s.stepRequests === 0) {
        if (++s.idleSteps > IDLE_STEPS_KEPT) continue;
      } else s.idleSteps = 0;
      out.push({ app, requests: s.stepRequests, errors: s.stepErrors, latency: toSparse(s.stepLatency) });
      s.stepRequests = 0;
      s.stepErrors = 0;
      s.stepLatency.fill(0);
    }
    return out;
  }

  upstreamError(app: string, kind: string): void {
    this.upstreamErrors.labels(app, kind).inc();
  }

  ejection(app: string): void {
    this.ejections.labels(app).inc();
  }
}
