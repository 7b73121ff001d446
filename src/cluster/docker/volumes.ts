// Named volumes on one engine (built-in service instances keep their data on one).
import type { Connection } from "./connection.js";
import { isNotFound, type VolumeInspect } from "./types.js";

export interface VolumeClient {
  /** Volumes carrying the label (`key` or `key=value`), as the Engine API describes them. */
  list(label: string): Promise<VolumeInspect[]>;
  /** Creates the volume; creating an existing one is a no-op that returns it. */
  create(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes it; no error when it is already gone. */
  remove(name: string): Promise<void>;
}

export function volumeClient(c: Connection): VolumeClient {
  return {
    async list(label) {
      const r = await c.docker.listVolumes({ filters: JSON.stringify({ label: [label] }) });
      return r.Volumes ?? [];
    },
    async create(name, labels) {
      await c.docker.createVolume({ Name: name, Labels: labels });
    },
    async remove(name) {
      await c.docker
        .getVolume(name)
        .remove()
        .catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
    },
  };
}
