// Keeps every registered node under the health monitor and records each health change in
// the store (node state + a node.health event), so node list/info and the event log show
// what the monitor saw even after a restart.
import type { Logger } from "pino";
import { DockerNodeConnector } from "../cluster/nodes/connector.js";
import { loadDockerCertDir, type TlsMaterial } from "../cluster/tls/pki.js";
import type { MonitorOptions } from "../cluster/health/monitor.js";
import { recordNodeHealth } from "../domain/services/nodes.js";
import type { Store } from "../store/types.js";

export interface NodeWatchOptions {
  store: Store;
  log: Logger;
  instanceId: string;
  /** Directory with ca.pem, cert.pem, key.pem (Wharf's cluster client certificate); "" = none. */
  tlsDir: string;
  monitor: MonitorOptions;
  /** Told of each transition once its state is in the store (the healer reads it there). */
  onTransition?: (address: string, to: string) => void;
}

export async function startNodeWatch(o: NodeWatchOptions): Promise<DockerNodeConnector> {
  let tls: TlsMaterial | null = null;
  if (o.tlsDir) {
    try {
      tls = await loadDockerCertDir(o.tlsDir);
    } catch (err) {
      throw new Error(
        `cannot read the cluster client certificate in ${o.tlsDir} (WHARF_NODE_TLS_DIR): ${(err as Error).message}`,
      );
    }
  }
  const connector = new DockerNodeConnector({
    tls,
    monitor: o.monitor,
    onHealthChange: (address, health, t) => {
      const change = { from: t.from, to: t.to, ...(t.error ? { error: t.error } : {}) };
      if (t.to === "unhealthy") o.log.warn({ node: address, error: t.error }, "node became unhealthy");
      else o.log.info({ node: address, from: t.from, to: t.to }, "node health changed");
      recordNodeHealth(o.store, o.instanceId, address, health, change)
        .catch((err: unknown) => o.log.error({ err, node: address }, "could not record node health"))
        .finally(() => o.onTransition?.(address, t.to));
    },
  });
  for (const n of await o.store.listNodes()) connector.watch(n.address);
  connector.start();
  return connector;
}
