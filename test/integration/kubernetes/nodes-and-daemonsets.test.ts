// Nodes and node containers through the adapter: labelling Nodes into a pool puts a
// DaemonSet's pods on them (and taking the label off removes them), image pull
// secrets are kubernetes.io/dockerconfigjson, secret values never come back.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { V1DaemonSet } from "@kubernetes/client-node";
import { resourceOfKind } from "../../support/kube/resources.js";
import { startStandIn, waitFor } from "../../support/kube/fixture.js";

let env: Awaited<ReturnType<typeof startStandIn>>;
const ns = "wharf-system";

before(async () => {
  env = await startStandIn({ nodes: 3 });
  await env.cluster.namespaces.ensure(ns, "wharf-test");
});
after(() => env.stop());

const agent = (image = "registry.local/wharf-agent:1"): V1DaemonSet => ({
  metadata: { name: "wharf-agent", labels: { app: "wharf-agent" } },
  spec: {
    selector: { matchLabels: { app: "wharf-agent" } },
    template: {
      metadata: { labels: { app: "wharf-agent" } },
      spec: {
        nodeSelector: { "tsuru.io/pool": "blue" },
        containers: [{ name: "agent", image }],
      },
    },
  },
});

const agentNodes = async () =>
  (await env.cluster.pods.summaries(ns, "app=wharf-agent"))
    .filter((p) => p.phase === "Running")
    .map((p) => p.node)
    .sort();

test("labelling nodes into a pool schedules the node container there; unlabelling takes it away", async () => {
  const { cluster } = env;
  await cluster.nodes.label("node-1", { "tsuru.io/pool": "blue" });
  await cluster.nodes.label("node-3", { "tsuru.io/pool": "blue" });
  await cluster.daemonSets.apply(ns, agent());
  await waitFor(
    "agents on node-1 and node-3",
    async () => JSON.stringify(await agentNodes()) === JSON.stringify(["node-1", "node-3"]),
  );
  const pool = (await cluster.nodes.list("tsuru.io/pool=blue")).map((n) => n.metadata?.name).sort();
  assert.deepEqual(pool, ["node-1", "node-3"]);
  await cluster.nodes.unlabel("node-1", ["tsuru.io/pool"]);
  await waitFor(
    "the agent only on node-3",
    async () => JSON.stringify(await agentNodes()) === JSON.stringify(["node-3"]),
  );
  const ds = await cluster.daemonSets.get(ns, "wharf-agent");
  await waitFor(
    "the DaemonSet's status",
    async () => (await cluster.daemonSets.get(ns, "wharf-agent"))?.status?.numberReady === 1,
  );
  assert.equal(ds?.status?.desiredNumberScheduled, 1);
  // An upgrade replaces the DaemonSet's template and its pod is replaced by one of the new image.
  const upgraded = await cluster.daemonSets.apply(ns, agent("registry.local/wharf-agent:2"));
  assert.equal(upgraded.metadata?.generation, 2);
  await waitFor("the agent on node-3 running the new image", async () => {
    const ps = await cluster.pods.list(ns, "app=wharf-agent");
    return (
      ps.length === 1 &&
      ps[0]!.spec?.nodeName === "node-3" &&
      ps[0]!.spec?.containers[0]?.image === "registry.local/wharf-agent:2" &&
      ps[0]!.status?.phase === "Running"
    );
  });
  await cluster.daemonSets.remove(ns, "wharf-agent");
  await waitFor("no agents", async () => (await agentNodes()).length === 0);
});

test("finding a node by an address, and a node Wharf may not create", async () => {
  const { cluster } = env;
  const n = await cluster.nodes.find("127.0.0.1");
  assert.ok(n?.metadata?.name?.startsWith("node-"));
  await assert.rejects(
    cluster.nodes.label("node-9", { "tsuru.io/pool": "x" }),
    /node node-9 is not registered .* it does not create them/,
  );
});

test("an image pull secret is a kubernetes.io/dockerconfigjson Secret for the registry; its values are not returned", async () => {
  const { cluster, standIn } = env;
  await cluster.secrets.applyImagePullSecret(ns, "registry-pull", {
    registry: "10.213.7.1:5000",
    username: "wharf",
    password: "pw-1",
  });
  await cluster.secrets.applyImagePullSecret(ns, "registry-pull", {
    registry: "10.213.7.1:5000",
    username: "wharf",
    password: "pw-2",
  });
  const stored = standIn.store.get(resourceOfKind("Secret"), ns, "registry-pull")!;
  assert.equal(stored.type, "kubernetes.io/dockerconfigjson");
  const cfg = JSON.parse(Buffer.from(stored.data[".dockerconfigjson"], "base64").toString());
  assert.equal(cfg.auths["10.213.7.1:5000"].password, "pw-2", "rotated in place");
  assert.equal(Buffer.from(cfg.auths["10.213.7.1:5000"].auth, "base64").toString(), "wharf:pw-2");
  const d = await cluster.secrets.describe(ns, "registry-pull");
  assert.deepEqual(d?.keys, [".dockerconfigjson"]);
  assert.ok(!JSON.stringify(d).includes("pw-2"));
  await cluster.secrets.apply(ns, "registry-pull", { PLAIN: "x" });
  assert.equal(
    standIn.store.get(resourceOfKind("Secret"), ns, "registry-pull")?.type,
    "Opaque",
    "a type change replaces the Secret",
  );
  await cluster.secrets.remove(ns, "registry-pull");
  assert.equal(await cluster.secrets.describe(ns, "registry-pull"), undefined);
});
