// Opens the configured backend. Drivers are imported lazily so that an embedded SQLite
// server never loads pg (and vice versa), and so domain code never imports a driver.
import type { Store, StoreConfig } from "./types.js";

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === "sqlite" && config.readOnly) {
    const { openReadOnlySqliteStore } = await import("./sqlite/read-only.js");
    return openReadOnlySqliteStore(config);
  }
  if (config.kind === "sqlite") {
    const { openSqliteStore } = await import("./sqlite/store.js");
    return openSqliteStore(config);
  }
  const { openPostgresStore } = await import("./postgres/store.js");
  return openPostgresStore(config);
}
