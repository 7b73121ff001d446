// Shared set-up for the unit-container tests: a busybox app image in the cluster registry and
// unit specs running small shell programs on it.
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { pushImage } from "../../support/engines.js";
import type { UnitSpec } from "../../../src/provision/docker/index.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { hostEngine } from "../../support/dev-cluster.js";

export const APP = "provtest";

/** Builds busybox on the host and pushes it as `<registry>/provtest:v1`, the way deploys push app images. */
export async function pushAppImage(registry: string): Promise<string> {
  const ref = `${registry}/${APP}:v1`;
  const host = hostEngine();
  await buildBusyboxImage(host, ref);
  await pushImage(host, ref);
  return ref;
}

/** Serves `unit <id> env=<VALUE of GREETING>` on $PORT with busybox httpd. */
export const HTTP_SERVER =
  'mkdir -p /tmp/www && echo "unit $WHARF_UNIT greeting=$GREETING" > /tmp/www/index.html && exec httpd -f -p "$PORT" -h /tmp/www';

export function unitSpec(image: string, nodeAddress: string, over: Partial<UnitSpec> = {}): UnitSpec {
  return {
    id: `${APP}-web-${randomBytes(4).toString("hex")}`,
    app: APP,
    process: "web",
    version: 1,
    image,
    command: HTTP_SERVER,
    env: { GREETING: "hello" },
    port: 8888,
    nodeAddress,
    limits: { memory: 64 * 1024 * 1024, swap: 0, cpuMilli: 250 },
    ...over,
  };
}

/** Removes every container on the node (tests leave nothing behind for the next file). */
export async function removeAll(engine: Docker): Promise<void> {
  for (const c of await engine.listContainers({ all: true })) {
    await engine.getContainer(c.Id).remove({ force: true });
  }
}
