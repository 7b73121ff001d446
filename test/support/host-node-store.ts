// A SQLite store holding one team, pool, busybox platform, plan and app, and one healthy node
// that stands for the host's engine: the world the tests that play a node on the host's
// Docker engine (server log collection, server metric sampling) start from.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/open.js";
import type { Store } from "../../src/store/types.js";

export async function hostNodeStore(o: {
  /** Prefix of the temp dir holding the database. */
  dirPrefix: string;
  app: string;
  /** The platform's image (busybox). */
  image: string;
  /** The node's address (any https URL: the engine is reached through hostEngine()). */
  node: string;
}): Promise<{ dir: string; store: Store }> {
  const dir = mkdtempSync(join(tmpdir(), o.dirPrefix));
  const store = await openStore({ kind: "sqlite", path: join(dir, "wharf.db"), synchronous: "NORMAL" });
  await store.createUser({ email: "a@example.com", passwordHash: "x" });
  await store.createTeam({ name: "t1", creatorEmail: "a@example.com" });
  await store.createPool({ name: "p1", isDefault: true });
  await store.createPlatform({ name: "busybox", image: o.image });
  await store.createPlan({ name: "small", memory: 0, swap: 0, cpuMilli: 0, cpuShare: 100, isDefault: true });
  await store.createApp({
    name: o.app,
    platform: "busybox",
    plan: "small",
    pool: "p1",
    teamOwner: "t1",
    owner: "a@example.com",
  });
  await store.createNode({
    address: o.node,
    pool: "p1",
    metadata: {},
    engineId: "host",
    engineName: "host",
    labels: {},
    cpus: 1,
    memory: 2 ** 30,
    disabled: false,
  });
  const now = new Date();
  await store.setNodeHealth(o.node, {
    state: "healthy",
    failures: 0,
    lastSuccess: now,
    lastError: "",
    lastErrorAt: null,
    since: now,
  });
  return { dir, store };
}
