// What a registry token per pull costs a unit start, on the 3-node test cluster with the
// registry under token auth (WHARF_TEST_SLOT picks the cluster). Side by side, alternating
// order each round, on node n1: a pull with a freshly minted `registrytoken` (what Wharf uses)
// and a pull with a one-use password that dockerd exchanges at Wharf's realm (the reference).
// Also the mint alone. Prints medians and ratios. Bounded: ROUNDS pulls per side.
//   WHARF_TEST_SLOT=7 node --import tsx bench/registry-token/run.ts
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import Fastify from "fastify";
import type Docker from "dockerode";
import { Pki } from "../../src/cluster/tls/pki.js";
import { pullImage, pushImage, tagImage } from "../../test/support/engines.js";
import { loadRegistryTokens } from "../../src/registry/tokens.js";
import { OneUseCredentials } from "../../src/registry/one-use.js";
import { appBuildAccess, unitPullAccess } from "../../src/registry/grants.js";
import { registryTokenRoutes } from "../../src/api/routes/registry-token.js";
import { hostEngine, nodeClient, testLayout } from "../../test/support/dev-cluster.js";
import { buildBusyboxImage } from "../../test/support/busybox-image.js";
import { isolationCluster, REALM_PORT } from "../../test/support/isolation-cluster.js";

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const MINTS = 2000;
const APP = "bench-token-app";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const info = await isolationCluster();
const t = info.registryAuth.token!;
const tokens = await loadRegistryTokens(t.keyFile, t);
const creds = new OneUseCredentials();
const tls = await new Pki(`${testLayout().stateDir}/pki`).issueServer("wharf-realm", {
  ips: [info.hostAddress],
});
const realm = Fastify({ https: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } });
registryTokenRoutes(realm, tokens, (u, p) => creds.exchange(u, p));
await realm.listen({ host: info.hostAddress, port: REALM_PORT });

const ref = `${info.registry}/${APP}:v1`;
const host = hostEngine();
await buildBusyboxImage(host, "wharf-test/busybox:latest");
await tagImage(host, "wharf-test/busybox:latest", `${info.registry}/${APP}`, "v1");
await pushImage(host, ref, undefined, {
  registrytoken: (await tokens.mint("bench", appBuildAccess(APP))).token,
});

const node: Docker = nodeClient(info, 0);
const drop = () =>
  node
    .getImage(ref)
    .remove({ force: true })
    .catch(() => undefined);

const sides = {
  registrytoken: async () => {
    const { token } = await tokens.mint("node-n1", unitPullAccess(APP));
    await pullImage(node, ref, undefined, { registrytoken: token });
  },
  "one-use password": async () => {
    const c = creds.issue("node-n1", unitPullAccess(APP));
    await pullImage(node, ref, undefined, { ...c, serveraddress: info.registry });
  },
};
type Side = keyof typeof sides;
const times: Record<Side, number[]> = { registrytoken: [], "one-use password": [] };
const order = Object.keys(sides) as Side[];
for (let r = 0; r < ROUNDS; r++) {
  for (const side of r % 2 ? [...order].reverse() : order) {
    await drop();
    const t0 = performance.now();
    await sides[side]();
    times[side].push(performance.now() - t0);
  }
}
await drop();

const m0 = performance.now();
for (let i = 0; i < MINTS; i++) await tokens.mint("node-n1", unitPullAccess(APP));
const mintMs = (performance.now() - m0) / MINTS;

await realm.close();
const tok = median(times.registrytoken);
const pw = median(times["one-use password"]);
console.log(
  `registry token per pull, node n1 of test slot ${process.env.WHARF_TEST_SLOT ?? 0}, ${ROUNDS} rounds`,
);
console.log(`  pull with registrytoken (mint included)  median ${tok.toFixed(1)} ms`);
console.log(`  pull with one-use password (realm)       median ${pw.toFixed(1)} ms   (reference)`);
console.log(`  ratio registrytoken / one-use password   ${(tok / pw).toFixed(2)}`);
console.log(
  `  mint alone                               ${(mintMs * 1000).toFixed(0)} µs = ${((mintMs / tok) * 100).toFixed(2)} % of a pull`,
);
