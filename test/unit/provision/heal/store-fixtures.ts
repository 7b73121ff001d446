// Rows the heal dry-run tests put in a real (in-memory) store: nodes of 2 CPUs with a given
// memory, and started, routable web units of app "web".
import type { Store } from "../../../../src/store/index.js";

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
