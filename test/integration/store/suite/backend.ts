// What a backend under test provides to the shared suite.
import type { Store } from "../../../../src/store/index.js";

export interface TestDatabase {
  /** Opens a Store on this database; call again to get a second server/instance on the same data. */
  open(): Promise<Store>;
  /** Drops the database (schema or file). */
  destroy(): Promise<void>;
}

export interface Backend {
  name: string;
  /** A fresh, empty database. */
  create(): Promise<TestDatabase>;
}

/** Seeds the catalog an app needs: team t1 (and t2), platform python, plan small, default pool p1. */
export async function seedCatalog(store: Store): Promise<void> {
  await store.createUser({ email: "alice@example.com", passwordHash: "h1" });
  await store.createTeam({ name: "t1", creatorEmail: "alice@example.com" });
  await store.createTeam({ name: "t2", creatorEmail: "alice@example.com" });
  await store.createPlatform({ name: "python", image: "registry/tsuru/python:v1" });
  await store.createPlan({
    name: "small",
    memory: 128 << 20,
    swap: 0,
    cpuMilli: 500,
    cpuShare: 100,
    isDefault: true,
  });
  await store.createPool({ name: "p1", isDefault: true });
}

export const appInput = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  platform: "python",
  plan: "small",
  pool: "p1",
  teamOwner: "t1",
  owner: "alice@example.com",
  ...extra,
});
