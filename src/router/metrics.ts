// Prometheus metrics for the data plane. Children are cached per label set because resolving labels
// on every request is measurable at tens of thousands of requests per second.
import { Counter, Histogram, Registry } from "prom-client";

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"app" | "code">;
  private readonly latency: Histogram<"app">;
  private readonly upstreamErrors: Counter<"app" | "kind">;
  private readonly ejections: Counter<"app">;
  private readonly reqChildren = new Map<string, Counter.Internal>();
  private readonly latChildren = new Map<string, Histogram.Internal<"app">>();

  constructor() {
    this.requests = new Counter({
      name: "wharf_router_requests_total",
      help: "Requests answered by the router, by app and status code.",
      labelNames: ["app", "code"],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: "wharf_router_request_duration_seconds",
      help: "Time from request received to response finished, by app.",
      labelNames: ["app"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
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

  request(app: string, code: number, seconds: number): void {
    const k = app + " " + code;
    let c = this.reqChildren.get(k);
    if (!c) {
      c = this.requests.labels(app, String(code));
      this.reqChildren.set(k, c);
    }
    c.inc();
    let h = this.latChildren.get(app);
    if (!h) {
      h = this.latency.labels(app);
      this.latChildren.set(app, h);
    }
    h.observe(seconds);
  }

  upstreamError(app: string, kind: string): void {
    this.upstreamErrors.labels(app, kind).inc();
  }

  ejection(app: string): void {
    this.ejections.labels(app).inc();
  }
}
