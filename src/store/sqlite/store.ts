// Placeholder so the interface compiles while the implementation lands.
import type { Store, StoreConfig } from "../types.js";

export async function openSqliteStore(_config: StoreConfig): Promise<Store> {
  throw new Error("sqlite store: not implemented yet");
}
