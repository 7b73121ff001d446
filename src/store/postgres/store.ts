// Placeholder so the interface compiles while the implementation lands.
import type { Store, StoreConfig } from "../types.js";

export async function openPostgresStore(_config: StoreConfig): Promise<Store> {
  throw new Error("postgres store: not implemented yet");
}
