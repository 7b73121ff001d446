// On the host's real Docker engine (playing one node): the node container reconciler keeps
// exactly the configured containers (recreated when removed behind its back or when the
// config changes, removed when disabled, or when the node leaves), re-mints the agent's
// token when the stored one no longer matches the running container (a pass that died
// after minting), and the server's own log collector stores a unit's output once each,
// across a hand-over to an agent and back and across a container restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { pino } from "pino";
import type Docker from "dockerode";
import type { Store } from "../../../src/store/types.js";
import { NodeContainerReconciler, fingerprint } from "../../../src/reconcile/node-containers.js";
import { AGENT_NAME, NC_LABELS } from "../../../src/nodecontainers/model.js";
import { LogHub } from "../../../src/logs/hub.js";
import { LogIngest } from "../../../src/logs/ingest.js";
import { ServerLogCollectors } from "../../../src/logs/collectors.js";
import { dockerLogSource } from "../../../src/logs/docker-source.js";
import { hostEngine } from "../../support/dev-cluster.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { engineOf } from "../../support/engines.js";
import { hostNodeStore } from "../../support/host-node-store.js";

const NODE = "https://10.254.0.1:2376";
const IMAGE = `wharf-test/nc-busybox:${process.pid}`;
const NC = `nctest-${process.pid}`;
const UNIT = `logsapp-web-${process.pid}`;
let dir: string;
let store: Store;
let engine: Docker;
const log = pino({ level: "silent" });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function mine(name: string) {
  return engine.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${NC_LABELS.name}=${name}`] }),
  });
}

before(async () => {
  engine = hostEngine();
  await buildBusyboxImage(engine, IMAGE);
  ({ dir, store } = await hostNodeStore({
    dirPrefix: "wharf-hostengine-",
    app: "logsapp",
    image: IMAGE,
    node: NODE,
  }));
});

after(async () => {
  for (const name of [NC, AGENT_NAME])
    for (const c of await mine(name)) await engine.getContainer(c.Id).remove({ force: true });
  for (const c of await engine.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`wharf.unit=${UNIT}`] }),
  }))
    await engine.getContainer(c.Id).remove({ force: true });
  await engine
    .getImage(IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("node containers: created, recreated when removed or changed, removed when disabled", async () => {
  const r = new NodeContainerReconciler({
    store,
    engines: { engineFor: () => engineOf(engine) },
    log,
    apiUrl: () => "",
    agentIntervalMs: 1000,
    agentImage: async () => IMAGE,
  });
  const spec = (env: string) => ({
    Name: NC,
    PinnedImage: "",
    Disabled: null,
    Config: { Image: IMAGE, Entrypoint: ["sleep", "600"], Env: [env] },
    HostConfig: { RestartPolicy: { Name: "no" } },
  });
  await store.setNodeContainer("", spec("V=1"));
  await r.pass();
  const [first] = await mine(NC);
  assert.equal(first?.State, "running");
  assert.equal(first?.Labels[NC_LABELS.node], NODE);
  await r.pass();
  assert.deepEqual(
    (await mine(NC)).map((c) => c.Id),
    [first!.Id],
    "an up-to-date container is left alone",
  );

  await engine.getContainer(first!.Id).remove({ force: true });
  await r.pass();
  const [second] = await mine(NC);
  assert.ok(
    second && second.Id !== first!.Id && second.State === "running",
    "removed behind its back: recreated",
  );

  await store.setNodeContainer("p1", { ...spec("V=2"), Config: { Env: ["V=2"] } });
  await r.pass();
  const [third] = await mine(NC);
  assert.ok(third && third.Id !== second.Id);
  const env = (await engine.getContainer(third.Id).inspect()).Config.Env;
  assert.ok(env.includes("V=2") && env.includes(`WHARF_NODE=${NODE}`), env.join(" "));

  await store.setNodeContainer("p1", { ...spec("V=2"), Config: {}, Disabled: true });
  await r.pass();
  assert.deepEqual(await mine(NC), [], "disabled for the pool: removed");
  await store.deleteNodeContainer(NC);
});

test("the agent gets a working token again when the stored one no longer matches its container", async () => {
  const r = new NodeContainerReconciler({
    store,
    engines: { engineFor: () => engineOf(engine) },
    log,
    apiUrl: () => "http://10.254.0.254:8080",
    agentIntervalMs: 1000,
    agentImage: async () => IMAGE,
  });
  await store.setNodeContainer("", {
    Name: AGENT_NAME,
    PinnedImage: "",
    Disabled: null,
    Config: { Entrypoint: ["sleep", "600"] },
    HostConfig: { RestartPolicy: { Name: "no" } },
  });
  await r.pass();
  const tokenOf = async (id: string) =>
    (await engine.getContainer(id).inspect()).Config.Env.find((e) =>
      e.startsWith("WHARF_AGENT_TOKEN="),
    )!.slice(18);
  const hash = (t: string) => createHash("sha256").update(t).digest("hex");
  const [a] = await mine(AGENT_NAME);
  assert.ok(a);
  assert.equal(hash(await tokenOf(a.Id)), (await store.findNodeAgent(NODE))!.tokenHash);
  // A pass that minted a token and died before replacing the container.
  await store.setNodeAgent({ node: NODE, tokenHash: hash("lost-token"), container: AGENT_NAME });
  await r.pass();
  const [b] = await mine(AGENT_NAME);
  assert.ok(b && b.Id !== a.Id);
  const stored = (await store.findNodeAgent(NODE))!.tokenHash;
  assert.equal(hash(await tokenOf(b.Id)), stored);
  assert.equal(b.Labels[NC_LABELS.token], fingerprint(stored));
  await store.deleteNodeContainer(AGENT_NAME);
  await r.pass();
  assert.deepEqual(await mine(AGENT_NAME), []);
  assert.equal(await store.findNodeAgent(NODE), null, "the removed agent's token is revoked");
});

test("the server's collector stores each line once, across hand-overs to an agent and a container restart", async () => {
  await store.createUnit({
    id: UNIT,
    app: "logsapp",
    process: "web",
    version: 1,
    node: NODE,
    containerId: "",
    host: "",
    port: 0,
    status: "started",
    routable: false,
    restartGen: 0,
    error: "",
  });
  const c = await engine.createContainer({
    Image: IMAGE,
    Entrypoint: [
      "sh",
      "-c",
      'r=$(cat /proc/sys/kernel/random/uuid); i=0; while true; do echo "out $r $i"; echo "err $r $i" >&2; i=$((i+1)); sleep 0.05; done',
    ],
    Labels: { "wharf.managed": "true", "wharf.unit": UNIT, "wharf.app": "logsapp" },
  });
  await c.start();
  const hub = new LogHub({ store, historyLines: 100_000, shared: false });
  const ingest = new LogIngest(store, hub);
  let agentLive = false;
  const collectors = new ServerLogCollectors({
    store,
    ingest,
    agentLive: () => agentLive,
    sourceFor: () => dockerLogSource(engineOf(engine)),
    log,
    intervalMs: 100,
  });
  const stored = async () =>
    (await store.listAppLogs("logsapp", { limit: 100_000, unit: UNIT })).map((l) => l.message);
  collectors.start();
  await until("lines stored", async () => ((await stored()).length > 20 ? true : undefined));
  agentLive = true;
  await until("the collector stands down for the agent", async () =>
    collectors.nodes.length === 0 ? true : undefined,
  );
  await new Promise((r) => setTimeout(r, 500));
  agentLive = false;
  await until("the collector takes over again", async () =>
    collectors.nodes.length === 1 ? true : undefined,
  );
  await c.restart({ t: 0 });
  const target = (await stored()).length + 40;
  await until("lines after the restart", async () => ((await stored()).length > target ? true : undefined));
  collectors.stop();
  await c.remove({ force: true });
  const lines = await stored();
  assert.equal(new Set(lines).size, lines.length, "no line stored twice");
  // Per run and stream: every line from the first, in order, with no gap (the stand-down
  // and the restart included; a run's last lines may be cut by the restart's kill).
  const runs = new Map<string, number[]>();
  for (const l of lines) {
    const [stream, run, n] = l.split(" ");
    const key = `${stream} ${run}`;
    runs.set(key, [...(runs.get(key) ?? []), Number(n)]);
  }
  assert.equal(runs.size, 4, [...runs.keys()].join(", "));
  for (const [key, ns] of runs) ns.forEach((n, i) => assert.equal(n, i, `${key}: line ${i}`));
  assert.ok([...runs.values()].every((ns) => ns.length > 5));
  const all = await store.listAppLogs("logsapp", { limit: 5, unit: UNIT });
  assert.ok(all.every((l) => l.source === "web" && l.unit === UNIT));
});
