// Prometheus metrics per server instance (own registry, so tests can run many servers).
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  latency: Histogram<"method" | "route">;
  /** Counts one answered request and its latency (labels resolved once per route and status). */
  observe(method: string, route: string, status: number, elapsedMs: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "wharf_http_requests_total",
    help: "HTTP requests by method, route pattern and status code",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "wharf_http_request_duration_seconds",
    help: "HTTP request latency by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  // Route patterns and statuses are few: keep each label set's children instead of
  // hashing a fresh label object on every request.
  const children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  return {
    registry,
    requests,
    latency,
    observe(method, route, status, elapsedMs) {
      const key = `${method} ${status} ${route}`;
      let c = children.get(key);
      if (!c) {
        c = { count: requests.labels(method, route, String(status)), time: latency.labels(method, route) };
        children.set(key, c);
      }
      c.count.inc();
      c.time.observe(elapsedMs / 1000);
    },
  };
}
