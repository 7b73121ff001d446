// Rows the heal dry-run tests put in a real (in-memory) store: nodes of 2 CPUs with a given
// memory, and started, routable web units of app "web".
import { openStore, type Store } from "../../../../src/store/index.js";

/** An in-memory store with team "devs", default pool "main" (plus `pools`), a 1 GiB plan and app "web". */
export async function openWebStore(pools: string[] = []): Promise<Store> {
  const store = await openStore({ kind: "sqlite", path: ":memory:" });
  await store.createTeam({ name: "devs", creatorEmail: "a@b.c" });
  await store.createPool({ name: "main", isDefault: true });
  for (const name of pools) await store.createPool({ name, isDefault: false });
  await store.createPlatform({ name: "node" });
  await store.createPlan({
    name: "big",
    memory: 2 ** 30,
    swap: 0,
    cpuMilli: 0,
    cpuShare: 100,
    isDefault: true,
  });
  await store.createApp({
    name: "web",
    platform: "node",
    plan: "big",
    pool: "main",
    teamOwner: "devs",
    owner: "a@b.c",
  });
  return store;
}

export async function addNode(store: Store, address: string, memory: number, pool = "main"): Promise<void> {
  await store.createNode({
    address,
    pool,
    metadata: {},
    engineId: address,
    engineName: address,
    labels: {},
    cpus: 2,
    memory,
    disabled: false,
  });
}

export async function addUnit(store: Store, id: string, node: string): Promise<void> {
  await store.createUnit({
    id,
    app: "web",
    process: "web",
    version: 1,
    node,
    containerId: `c-${id}`,
    host: "10.0.0.1",
    port: 30000,
    status: "started",
    routable: true,
    restartGen: 0,
    error: "",
  });
}
