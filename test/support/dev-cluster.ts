// A dev cluster layout used only by tests: its own prefix, subnet and directories, so the
// suite never touches a cluster a developer has up, and its `down` removes only its own.
import { defaultLayout, type DevClusterLayout } from "../../src/cluster/dev/layout.js";
import { dockerClient } from "../../src/cluster/docker/engine.js";
import type { DevClusterInfo } from "../../src/cluster/dev/cluster.js";
import { readFileSync } from "node:fs";
import type Docker from "dockerode";

/**
 * WHARF_TEST_SLOT=1..9 gives a parallel test run (another worktree, another developer) its
 * own cluster: prefix wtc<slot>, subnet 10.213.<9+slot>.0/24 and directories of its own.
 */
const slot = /^[1-9]$/.test(process.env.WHARF_TEST_SLOT ?? "") ? Number(process.env.WHARF_TEST_SLOT) : 0;
const suffix = slot ? String(slot) : "";

export const TEST_CLUSTER_ENV: NodeJS.ProcessEnv = {
  WHARF_DEV_PREFIX: `wtc${suffix}`,
  WHARF_DEV_SUBNET: `10.213.${9 + slot}.0/24`,
  WHARF_DEV_STATE_DIR: `/var/lib/wharf-test-cluster${suffix}`,
  WHARF_DEV_RUN_DIR: `/run/wharf-tc${suffix}`,
};

export function testLayout(): DevClusterLayout {
  return defaultLayout(TEST_CLUSTER_ENV);
}

/** A dockerode client for a node, over mutual TLS with Wharf's client certificate. */
export function nodeClient(info: DevClusterInfo, index: number): Docker {
  const node = info.nodes[index];
  if (!node) throw new Error(`no node ${index} in the test cluster`);
  return dockerClient({
    kind: "tcp",
    host: node.dockerHost,
    port: node.dockerPort,
    tls: {
      ca: readFileSync(info.tls.ca),
      cert: readFileSync(info.tls.clientCert),
      key: readFileSync(info.tls.clientKey),
    },
  });
}

export const hostEngine = (): Docker => dockerClient({ kind: "socket", socketPath: "/var/run/docker.sock" });
