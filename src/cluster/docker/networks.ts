// Networks on one engine. Units use the default bridge today; per-team networks (tenant
// isolation, issue 14) are created and removed through this client.
import type { Connection } from "./connection.js";

export interface NetworkSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface NetworkClient {
  /** Networks carrying every label given (`key` or `key=value`). */
  list(labels?: string[]): Promise<NetworkSummary[]>;
  /** Creates a bridge network (idempotent per name: an existing one is returned). */
  create(name: string, labels?: Record<string, string>): Promise<string>;
  remove(id: string): Promise<void>;
}

export function networkClient(c: Connection): NetworkClient {
  const list = async (labels: string[] = []): Promise<NetworkSummary[]> =>
    (await c.docker.listNetworks(labels.length ? { filters: JSON.stringify({ label: labels }) } : {})).map(
      (n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }),
    );
  return {
    list,
    async create(name, labels = {}) {
      const found = (await c.docker.listNetworks({ filters: JSON.stringify({ name: [name] }) })).find(
        (n) => n.Name === name,
      );
      if (found) return found.Id;
      return (
        await c.docker.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true })
      ).id;
    },
    async remove(id) {
      await c.docker.getNetwork(id).remove();
    },
  };
}
