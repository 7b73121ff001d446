// docker info's SystemStatus in Swarm's layout (swarm-classic.md §6.5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { humanSize, naturalCompare, systemStatus } from "../../../src/dockerapi/info.js";
import type { NodeRecord } from "../../../src/store/types.js";

const node = (name: string, state: "healthy" | "unhealthy"): NodeRecord => ({
  address: `https://10.0.0.${name.slice(-1)}:2376`,
  pool: "main",
  metadata: { zone: "a" },
  engineId: `ID${name}`,
  engineName: name,
  labels: { storagedriver: "overlay2" },
  cpus: 4,
  memory: 2 ** 31,
  disabled: false,
  health: {
    state,
    failures: 0,
    lastSuccess: new Date("2026-01-01T00:00:00Z"),
    lastError: state === "unhealthy" ? "refused" : "",
    lastErrorAt: null,
    since: new Date(),
  },
  createdAt: new Date(),
  updatedAt: new Date(),
});

test("humanSize uses binary units with 4 significant digits, 0 as 0 B", () => {
  assert.equal(humanSize(0), "0 B");
  assert.equal(humanSize(20 * 2 ** 20), "20 MiB");
  assert.equal(humanSize(2.052 * 2 ** 30), "2.052 GiB");
});

test("nodes come in natural order with status, containers, reservations and sorted labels", () => {
  assert.ok(naturalCompare("node-2", "node-10") < 0);
  const c = (State: string) => ({ State }) as never;
  const pairs = systemStatus("spread", "health, port", [
    {
      node: node("node-10", "unhealthy"),
      containers: [c("running")],
      reservedCpus: 0,
      totalCpus: 4,
      reservedMemory: 0,
      totalMemory: 2 ** 31,
    },
    {
      node: node("node-2", "healthy"),
      containers: [c("running"), c("paused"), c("exited")],
      reservedCpus: 1,
      totalCpus: 4,
      reservedMemory: 20 * 2 ** 20,
      totalMemory: 2 ** 31,
    },
  ]);
  const text = pairs.map(([k, v]) => `${k}: ${v}`).join("\n");
  assert.match(text, /^Nodes: 2$/m);
  assert.ok(text.indexOf(" node-2:") < text.indexOf(" node-10:"));
  assert.match(text, /└ Containers: 3 \(1 Running, 1 Paused, 1 Stopped\)/);
  assert.match(text, /└ Status: Unhealthy\n {2}└ Containers: 1\n/);
  assert.match(text, /└ Reserved CPUs: 1 \/ 4/);
  assert.match(text, /└ Reserved Memory: 20 MiB \/ 2 GiB/);
  assert.match(text, /└ Labels: pool=main, storagedriver=overlay2, zone=a/);
  assert.match(text, /└ Error: refused/);
});
