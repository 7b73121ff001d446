// The test cluster as the isolation tests use it: 3 nodes, the registry under token auth with
// a fixed realm (so its config stays the same from one test file to the next).
import { up, type DevClusterInfo } from "../../src/cluster/dev/cluster.js";
import { testLayout } from "./dev-cluster.js";

export const REALM_PORT = 18440 + Number(process.env.WHARF_TEST_SLOT ?? 0);

export async function isolationCluster(): Promise<DevClusterInfo> {
  const l = testLayout();
  process.env.WHARF_REGISTRY_REALM = `https://${l.subnet24}.1:${REALM_PORT}/registry/token`;
  return up(3, l, { registryAuth: "token" });
}
