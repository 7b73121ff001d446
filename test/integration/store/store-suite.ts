// The one Store suite both backends must pass (sqlite.test.ts, postgres.test.ts).
import { describe } from "node:test";
import type { Backend } from "./suite/backend.js";
import { deployTests } from "./suite/deploys.js";
import { eventTests } from "./suite/events.js";
import { nodeTests } from "./suite/nodes.js";
import { recordTests } from "./suite/records.js";
import { serviceTests } from "./suite/services.js";
import { logTests } from "./suite/logs.js";
import { surfaceTests } from "./suite/surface.js";
import { metricTests } from "./suite/metrics.js";
import { dockerTests } from "./suite/docker.js";

export type { Backend, TestDatabase } from "./suite/backend.js";

export function storeSuite(backend: Backend): void {
  describe(`store (${backend.name}): records`, () => recordTests(backend));
  describe(`store (${backend.name}): events, locks, changes`, () => eventTests(backend));
  describe(`store (${backend.name}): nodes`, () => nodeTests(backend));
  describe(`store (${backend.name}): deploys and units`, () => deployTests(backend));
  describe(`store (${backend.name}): services`, () => serviceTests(backend));
  describe(`store (${backend.name}): app logs, node containers, node agents`, () => logTests(backend));
  describe(`store (${backend.name}): keys, resets, event blocks, webhooks, pool settings, node TLS`, () =>
    surfaceTests(backend));
  describe(`store (${backend.name}): metrics and autoscale`, () => metricTests(backend));
  describe(`store (${backend.name}): Docker-API endpoint records`, () => dockerTests(backend));
}
