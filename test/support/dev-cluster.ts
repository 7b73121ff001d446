// A dev cluster layout used only by tests: its own prefix, subnet and directories, so the
// suite never touches a cluster a developer has up, and its `down` removes only its own.
import { defaultLayout, type DevClusterLayout } from "../../src/cluster/dev/layout.js";
import { dockerClient } from "../../src/cluster/docker/engine.js";
import { down, up, type DevClusterInfo } from "../../src/cluster/dev/cluster.js";
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

/** Docker's own networks, which a node always has. */
const BUILTIN_NETWORKS = new Set(["bridge", "host", "none", "docker_gwbridge", "ingress"]);

/**
 * Leaves every node of the test cluster as a fresh one, except for its cache of Wharf's own
 * images (base, platforms, services, agent): no container (units, builds, node containers), no
 * app image, no network or volume of a test, no swarm. Files
 * that share one cluster start from this, so none sees what an earlier file left.
 */
export async function emptyNodes(info: DevClusterInfo): Promise<void> {
  await Promise.all(
    info.nodes.map(async (_, i) => {
      const engine = nodeClient(info, i);
      const swarm = (await engine.info()) as { Swarm?: { LocalNodeState?: string } };
      if (swarm.Swarm?.LocalNodeState && swarm.Swarm.LocalNodeState !== "inactive") {
        await engine.swarmLeave({ force: true });
      }
      for (const c of await engine.listContainers({ all: true })) {
        await engine.getContainer(c.Id).remove({ force: true, v: true });
      }
      for (const n of await engine.listNetworks()) {
        if (!BUILTIN_NETWORKS.has(n.Name)) await engine.getNetwork(n.Id).remove();
      }
      await engine.pruneVolumes();
      // App images too (their build labels them wharf.app): another file's server numbered its
      // versions from v1 as well; units compare image ids and pull over a stale copy, but the
      // nodes' disks need not keep every file's builds.
      const apps = await engine.listImages({ filters: JSON.stringify({ label: ["wharf.app"] }) });
      for (const img of apps)
        await engine
          .getImage(img.Id)
          .remove({ force: true })
          .catch(() => undefined);
    }),
  );
}

/**
 * scripts/run-tests.mjs sets WHARF_TEST_SHARED_CLUSTER=1 for the e2e and browser tiers: their
 * files then share one test cluster (up once, each file starts from emptyNodes, the runner
 * brings it down at the end) instead of paying a cluster's start, the registry's pushes and
 * every node's image pulls once per file.
 */
export const sharedCluster = (): boolean => process.env.WHARF_TEST_SHARED_CLUSTER === "1";

/** The 3-node test cluster for a file: its own, or the shared one with empty nodes. */
export async function testClusterUp(): Promise<DevClusterInfo> {
  if (!sharedCluster()) return up(3, testLayout());
  // A shared cluster may come from a file that used more nodes: exactly three here.
  const info = await up(3, testLayout(), { shrink: true });
  await emptyNodes(info);
  return info;
}

/** The end of a file's use of the cluster: down, or (shared) what the file ran stops now. */
export async function testClusterDone(info: DevClusterInfo | undefined): Promise<void> {
  if (!sharedCluster()) return down(testLayout());
  if (info) await emptyNodes(info).catch(() => undefined);
}
