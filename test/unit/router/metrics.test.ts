import { test } from "node:test";
import assert from "node:assert/strict";
import { RouterMetrics } from "../../../src/router/metrics.js";

function series(text: string, prefix: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(prefix));
}

test("request counts per app and code accumulate across scrapes without being counted twice", async () => {
  const m = new RouterMetrics();
  m.request("a", 200, 0.001);
  m.request("a", 200, 0.001);
  m.request("a", 404, 0.001);
  m.request("b", 502, 0.001);
  assert.deepEqual(series(await m.registry.metrics(), "wharf_router_requests_total"), [
    'wharf_router_requests_total{app="a",code="200"} 2',
    'wharf_router_requests_total{app="a",code="404"} 1',
    'wharf_router_requests_total{app="b",code="502"} 1',
  ]);
  m.request("a", 200, 0.001);
  assert.deepEqual(series(await m.registry.metrics(), 'wharf_router_requests_total{app="a",code="200"}'), [
    'wharf_router_requests_total{app="a",code="200"} 3',
  ]);
});

test("the latency histogram has cumulative buckets per app, +Inf, sum and count", async () => {
  const m = new RouterMetrics();
  m.request("a", 200, 0.0004); // first bucket (0.0005)
  m.request("a", 200, 0.001); // exactly on a bound: counted in it (le)
  m.request("a", 200, 0.02); // 0.025
  m.request("a", 200, 60); // beyond the largest bound: +Inf only
  const text = await m.registry.metrics();
  assert.match(text, /# TYPE wharf_router_request_duration_seconds histogram/);
  const b = (le: string) =>
    series(text, `wharf_router_request_duration_seconds_bucket{le="${le}",app="a"}`)[0]?.split(" ")[1];
  assert.equal(b("0.0005"), "1");
  assert.equal(b("0.001"), "2");
  assert.equal(b("0.01"), "2");
  assert.equal(b("0.025"), "3");
  assert.equal(b("30"), "3");
  assert.equal(b("+Inf"), "4");
  assert.deepEqual(series(text, "wharf_router_request_duration_seconds_count"), [
    'wharf_router_request_duration_seconds_count{app="a"} 4',
  ]);
  const sum = Number(series(text, "wharf_router_request_duration_seconds_sum")[0]!.split(" ")[1]);
  assert.ok(Math.abs(sum - 60.0214) < 1e-9, `sum ${sum}`);
});
