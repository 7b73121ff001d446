// On the host's real Docker engine (playing one node without an agent): the server's own
// metric sampling reads a unit container's one-shot stats through dockerode, stores its
// memory at the first pass and its CPU and network rates from the second on (the figures
// reach MetricsService.read as the agent's would), stands down while the node's agent
// reports, and leaves containers without a Wharf unit alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { pino } from "pino";
import type Docker from "dockerode";
import type { Store } from "../../../src/store/types.js";
import { MetricsService } from "../../../src/metrics/service.js";
import { ServerMetricCollectors } from "../../../src/metrics/collectors.js";
import { dockerStatsSource } from "../../../src/metrics/docker-source.js";
import { hostEngine } from "../../support/dev-cluster.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { hostNodeStore } from "../../support/host-node-store.js";
import { engineOf } from "../../support/engines.js";

const NODE = "https://10.254.0.2:2376";
const IMAGE = `wharf-test/metrics-busybox:${process.pid}`;
const UNIT = `metered-web-${process.pid}`;
const STRAY = `metered-stray-${process.pid}`;
let dir: string;
let store: Store;
let engine: Docker;
const log = pino({ level: "silent" });
const containers: Docker.Container[] = [];

before(async () => {
  engine = hostEngine();
  await buildBusyboxImage(engine, IMAGE);
  ({ dir, store } = await hostNodeStore({
    dirPrefix: "wharf-metrics-sampling-",
    app: "metered",
    image: IMAGE,
    node: NODE,
  }));
  await store.createUnit({
    id: UNIT,
    app: "metered",
    process: "web",
    version: 1,
    node: NODE,
    containerId: "",
    host: "",
    port: 0,
    status: "started",
    routable: false,
    restartGen: 0,
    error: "",
  });
  // A unit that spins (CPU to measure), and a labelled container whose unit Wharf does not know.
  for (const [unit, cmd] of [
    [UNIT, "while true; do :; done"],
    [STRAY, "sleep 600"],
  ] as const) {
    const c = await engine.createContainer({
      Image: IMAGE,
      Entrypoint: ["sh", "-c", cmd],
      Labels: { "wharf.managed": "true", "wharf.unit": unit, "wharf.app": "metered" },
      HostConfig: { NanoCpus: 200_000_000 },
    });
    containers.push(c);
    await c.start();
  }
});

after(async () => {
  for (const c of containers) await c.remove({ force: true }).catch(() => undefined);
  await engine
    .getImage(IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the server samples a node without a reporting agent through one-shot stats, and stands down for its agent", async () => {
  const metrics = new MetricsService({ store, log });
  let agentLive = false;
  let ingested = 0;
  const sampling = new ServerMetricCollectors({
    store,
    metrics: {
      ingest: (node, samples) => {
        ingested += samples.length;
        return metrics.ingest(node, samples);
      },
    },
    agentLive: () => agentLive,
    sourceFor: () => dockerStatsSource(engineOf(engine)),
    log,
  });
  const series = async () => (await metrics.read("metered", 0)).series;
  const names = async () => (await series()).map((s) => `${s.name} ${s.unit}`).sort();

  await sampling.sampleOnce();
  assert.deepEqual(sampling.nodes, [NODE]);
  // The first reading has no rates yet: memory (and the unit's restarts) only.
  assert.deepEqual(await names(), [`memory_bytes ${UNIT}`, `restarts ${UNIT}`]);
  const mem = (await series()).find((s) => s.name === "memory_bytes")!;
  assert.ok(
    mem.points.every(([, v]) => v > 0),
    JSON.stringify(mem.points),
  );

  await new Promise((r) => setTimeout(r, 1500));
  await sampling.sampleOnce();
  assert.deepEqual(await names(), [
    `cpu_percent ${UNIT}`,
    `memory_bytes ${UNIT}`,
    `net_rx_bytes ${UNIT}`,
    `net_tx_bytes ${UNIT}`,
    `restarts ${UNIT}`,
  ]);
  const cpu = (await series()).find((s) => s.name === "cpu_percent")!;
  // The unit spins under a 0.2-CPU limit: it uses some CPU, at most a core.
  assert.ok(
    cpu.points.some(([, v]) => v > 1 && v <= 100),
    JSON.stringify(cpu.points),
  );
  // The store has the same points (what a restart and the other servers read).
  const stored = await store.listUnitMetrics({ sinceTs: 0, app: "metered" });
  assert.ok(stored.some((p) => p.unit === UNIT && p.name === "cpu_percent"));
  assert.ok(
    stored.every((p) => p.unit === UNIT),
    "the stray container is never stored",
  );

  agentLive = true;
  const sent = ingested;
  assert.ok(sent >= 2, "both passes handed samples in");
  await sampling.sampleOnce();
  assert.deepEqual(sampling.nodes, [], "left to the node's agent");
  assert.equal(ingested, sent, "nothing sampled while the agent reports");
});
