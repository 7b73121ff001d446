// Which dev-cluster nodes a Wharf store on this machine still has registered: removing such a
// node (`up --shrink`, `down`) takes away the units and service instances Wharf keeps on it.
// The stores looked at are the ones a `wharf server` here would use: the one the environment
// configures (WHARF_DATABASE_URL, else WHARF_DATA_DIR or ~/.wharf) and the one
// scripts/wharf-up.sh keeps (/var/lib/wharf/data, WHARF_UP_STATE). Each is opened read-only,
// so looking changes nothing; a store that does not exist has nothing registered.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../config/config.js";
import { openStore, type StoreConfig } from "../../store/index.js";
import { nodeNames, type DevClusterLayout } from "./layout.js";

export interface RegisteredNode {
  /** The dev cluster's name for it (n2). */
  name: string;
  /** Its address in the store (https://HOST:PORT). */
  address: string;
  pool: string;
  units: number;
  serviceInstances: number;
  /** Which store has it, for messages ("the store at /var/lib/wharf/data/wharf.db"). */
  store: string;
}

interface StoreOnMachine {
  label: string;
  config: StoreConfig;
}

function storesOnThisMachine(env: NodeJS.ProcessEnv = process.env): StoreOnMachine[] {
  const config = loadConfig(env);
  const stores: StoreOnMachine[] = [];
  if (config.databaseUrl) {
    // The URL may carry a password: messages name the variable, never its value.
    stores.push({
      label: "the PostgreSQL store of WHARF_DATABASE_URL",
      config: { kind: "postgres", url: config.databaseUrl, readOnly: true, poolSize: 1 },
    });
  }
  const upState = env.WHARF_UP_STATE ?? "/var/lib/wharf";
  const files = new Set([join(config.dataDir, "wharf.db"), join(upState, "data", "wharf.db")]);
  for (const path of files) {
    if (existsSync(path))
      stores.push({ label: `the store at ${path}`, config: { kind: "sqlite", path, readOnly: true } });
  }
  return stores;
}

function hostPort(address: string): string {
  try {
    const u = new URL(address);
    return `${u.hostname}:${u.port}`;
  } catch {
    return address;
  }
}

/** The nodes among `indexes` that some store on this machine has registered. */
export async function registeredNodes(
  l: DevClusterLayout,
  indexes: number[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegisteredNode[]> {
  const byAddress = new Map(
    indexes.map((i) => nodeNames(l, i)).map((n) => [`${n.address}:${l.dockerPort}`, n.name]),
  );
  const found: RegisteredNode[] = [];
  if (byAddress.size === 0) return found;
  for (const { label, config } of storesOnThisMachine(env)) {
    try {
      const store = await openStore(config);
      try {
        for (const node of await store.listNodes()) {
          const name = byAddress.get(hostPort(node.address));
          if (!name) continue;
          const units = await store.listUnits({ node: node.address });
          const services = await store.listServiceContainers({ node: node.address });
          const { address, pool } = node;
          found.push({
            name,
            address,
            pool,
            units: units.length,
            serviceInstances: services.length,
            store: label,
          });
        }
      } finally {
        await store.close();
      }
    } catch (err) {
      throw new Error(`could not read ${label} (${(err as Error).message})`);
    }
  }
  return found;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** "n2 (https://10.213.7.12:2376) is registered in the store at ... in pool main with 2 units" */
export function describeRegistered(r: RegisteredNode): string {
  const services = r.serviceInstances ? ` and ${count(r.serviceInstances, "service instance")}` : "";
  return `${r.name} (${r.address}) is registered in ${r.store} in pool ${r.pool} with ${count(r.units, "unit")}${services}`;
}
