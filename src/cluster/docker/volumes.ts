// Named volumes on one engine (built-in service instances keep their data on one).
import type { Connection } from "./connection.js";
import { isNotFound } from "./types.js";

export interface VolumeClient {
  /** Creates the volume; creating an existing one is a no-op that returns it. */
  create(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes it; no error when it is already gone. */
  remove(name: string): Promise<void>;
}

export function volumeClient(c: Connection): VolumeClient {
  return {
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
