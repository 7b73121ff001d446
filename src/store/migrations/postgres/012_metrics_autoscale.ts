// Schema v12: unit metrics, router metrics and autoscale settings (src/store/metric-types.ts).
// - unit_metrics: one row per (unit, series, 10 s step) for the last hour; the foreign key
//   removes a unit's series with the unit.
// - router_metrics: per router, app and step, the requests, errors and latency histogram it
//   counted; the server merges the routers' rows of a step (sums, added histograms).
// - autoscale: per app process, min/max units and the targets (null = not a target).
import type { Migration } from "../types.js";

export const m012: Migration = {
  version: 12,
  name: "012_metrics_autoscale",
  sql: `
CREATE TABLE unit_metrics (
  unit TEXT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
  app TEXT NOT NULL,
  process TEXT NOT NULL,
  name TEXT NOT NULL,
  ts BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (unit, name, ts)
);
CREATE INDEX unit_metrics_app ON unit_metrics (app, ts);
CREATE INDEX unit_metrics_ts ON unit_metrics (ts);

CREATE TABLE router_metrics (
  router TEXT NOT NULL,
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  ts BIGINT NOT NULL,
  requests BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  latency TEXT NOT NULL,
  PRIMARY KEY (router, app, ts)
);
CREATE INDEX router_metrics_app ON router_metrics (app, ts);
CREATE INDEX router_metrics_ts ON router_metrics (ts);

CREATE TABLE autoscale (
  app TEXT NOT NULL REFERENCES apps (name) ON DELETE CASCADE,
  process TEXT NOT NULL,
  min_units INTEGER NOT NULL,
  max_units INTEGER NOT NULL,
  cpu_percent DOUBLE PRECISION,
  requests_per_unit DOUBLE PRECISION,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (app, process)
);
`,
};
