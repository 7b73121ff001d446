// Network walls on the real 3-node test cluster, probed from INSIDE containers: team B's
// units and builds cannot open A's units (by container address or published port, on the
// same node or another), any node's Docker API port or the registry; A's own units and the
// router host can reach A; a bound service's port opens for the bound team only. The walls
// are applied through the node Docker APIs only, read back for `wharf node info`, repaired
// when tampered with, removed with their network, and never left half-applied by a kill -9.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import type Docker from "dockerode";
import type { DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { NodeWalls } from "../../../src/isolation/node-walls.js";
import { teamNetwork } from "../../../src/isolation/names.js";
import { buildWallOptions } from "../../../src/isolation/build-walls.js";
import { buildContextTar } from "../../../src/build/context.js";
import { engineOf, followProgress } from "../../support/engines.js";
import { Readable } from "node:stream";
import { nodeRuleset, type Endpoint, type NodeWallSpec } from "../../../src/isolation/rules.js";
import { nodeClient } from "../../support/dev-cluster.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { isolationCluster } from "../../support/isolation-cluster.js";

const IMAGE = "wharf-test/busybox:latest";
const LABEL = "wharf.test.walls";
let info: DevClusterInfo;
let engines: Docker[];
let walls: NodeWalls[];
const addr = (i: number) => info.nodes[i]!.address;
// Fixed published ports, so every node's spec can name its endpoints before the units start.
const PORT = { a1: 18081, a2: 18082, b1: 18091, svc: 18099 };
const servers: Record<string, { node: number; team: string | null; port: number; ip?: string }> = {
  a1: { node: 0, team: "team-a", port: PORT.a1 },
  a2: { node: 1, team: "team-a", port: PORT.a2 },
  b1: { node: 0, team: "team-b", port: PORT.b1 },
  // A bound service instance (like a built-in PostgreSQL): on docker0 of node 3, bound to team A.
  svc: { node: 2, team: null, port: PORT.svc },
};
let bound: Record<string, Endpoint[]> = {};
const BLOCK = { a: { port: 18081, toPort: 18089 }, b: { port: 18091, toPort: 18098 } };

function spec(i: number, extraTeams: string[] = []): NodeWallSpec {
  // Each team's host-port block, on every node: unit starts change no rule.
  const own = (team: string): Endpoint[] => [
    { address: `${info.hostAddress.replace(/\.1$/, ".0")}/24`, ...(team === "team-a" ? BLOCK.a : BLOCK.b) },
  ];
  return {
    nodeAddress: addr(i),
    networks: [
      teamNetwork("team-a"),
      teamNetwork("team-b"),
      teamNetwork("team-b", "build"),
      ...extraTeams.map((t) => teamNetwork(t)),
    ],
    internal: [...info.nodes.map((n) => n.address), info.hostAddress, "169.254.0.0/16"],
    ingressFrom: [info.hostAddress, ...info.nodes.map((n) => n.address)],
    ingressOnly: ["docker0"],
    teamEndpoints: {
      "team-a": [...own("team-a"), ...(bound["team-a"] ?? [])],
      "team-b": [...own("team-b"), ...(bound["team-b"] ?? [])],
    },
    open: [],
  };
}

async function run(node: number, network: string, script: string): Promise<string> {
  const c = await engines[node]!.createContainer({
    Image: IMAGE,
    Cmd: ["/bin/sh", "-c", script],
    Labels: { [LABEL]: "probe" },
    HostConfig: { NetworkMode: network, CapDrop: ["NET_RAW"] },
  });
  try {
    await c.start();
    await c.wait();
    return (await c.logs({ stdout: true, stderr: true })).toString();
  } finally {
    await c.remove({ force: true });
  }
}

// Prints "open" when a TCP connection is established, "closed" when refused or dropped.
const probeScript = (host: string, port: number) =>
  `out=$(timeout 4 nc -w 2 ${host} ${port} </dev/null 2>&1); rc=$?; case "$out" in *refused*|*timed*|*unreachable*) echo closed;; *) [ $rc -eq 0 ] || [ $rc -eq 143 ] && echo open || echo "closed $rc $out";; esac`;

async function probe(node: number, network: string, host: string, port: number): Promise<"open" | "closed"> {
  const out = await run(node, network, probeScript(host, port));
  return out.includes("open") ? "open" : "closed";
}

/** Runs the probes in one RUN step of a real classic build on `node`; "name=open|closed" per probe. */
async function buildProbes(
  node: number,
  options: Docker.ImageBuildOptions,
  probes: Record<string, [string, number]>,
): Promise<Record<string, string>> {
  const script = Object.entries(probes)
    .map(([name, [host, port]]) => `echo "probe ${name}=$(${probeScript(host, port)})"`)
    .join("; ");
  const context = await buildContextTar([{ name: "Dockerfile", content: `FROM ${IMAGE}\nRUN ${script}\n` }]);
  const lines: string[] = [];
  const e = engines[node]!;
  await followProgress(
    e,
    await e.buildImage(Readable.from([context]), {
      ...options,
      t: "wharf-test/walls-build:latest",
      nocache: true,
      forcerm: true,
      labels: { [LABEL]: "build" },
    }),
    (l) => lines.push(l),
  );
  const out: Record<string, string> = {};
  for (const l of lines.join("\n").split("\n")) {
    const m = /^probe (\S+)=(open|closed)/.exec(l.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function hostProbe(host: string, port: number): Promise<"open" | "closed"> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 3000 });
    s.on("connect", () => (s.destroy(), resolve("open")));
    s.on("error", () => resolve("closed"));
    s.on("timeout", () => (s.destroy(), resolve("closed")));
  });
}

async function startServer(name: string): Promise<void> {
  const s = servers[name]!;
  const network = s.team ? teamNetwork(s.team).network : "bridge";
  const e = engines[s.node]!;
  await e
    .getContainer(`walls-${name}`)
    .remove({ force: true })
    .catch(() => undefined);
  const c = await e.createContainer({
    name: `walls-${name}`,
    Image: IMAGE,
    Cmd: ["/bin/sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www"],
    Labels: { [LABEL]: "server" },
    ExposedPorts: { "80/tcp": {} },
    HostConfig: {
      NetworkMode: network,
      PortBindings: { "80/tcp": [{ HostIp: addr(s.node), HostPort: String(s.port) }] },
    },
  });
  await c.start();
  const ins = await c.inspect();
  s.ip = ins.NetworkSettings.Networks[network]!.IPAddress;
}

async function iptablesSave(i: number): Promise<string> {
  const p = spawn("nsenter", [
    `--net=/run/netns/${info.nodes[i]!.name.replace(/^/, `${prefix()}-`)}`,
    "iptables-save",
    "-t",
    "filter",
  ]);
  let out = "";
  p.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise((r) => p.on("close", r));
  return out;
}
const prefix = () => `wtc${process.env.WHARF_TEST_SLOT ?? ""}`;

before(async () => {
  info = await isolationCluster();
  engines = info.nodes.map((_, i) => nodeClient(info, i));
  await Promise.all(engines.map((e) => buildBusyboxImage(e, IMAGE)));
  walls = engines.map((e) => new NodeWalls(engineOf(e), IMAGE));
  bound = { "team-a": [{ address: addr(2), port: PORT.svc }] };
  for (const [i, w] of walls.entries()) {
    const s = spec(i);
    await w.ensureTeamNetwork(s, "team-a");
    await w.ensureTeamNetwork(s, "team-b");
    await w.ensureTeamNetwork(s, "team-b", "build");
    // Networks left by an earlier run are kept as they are (fast path): put this spec in force.
    await w.apply(s);
  }
  for (const name of Object.keys(servers)) await startServer(name);
});

after(async () => {
  for (const e of engines ?? []) {
    const cs = await e.listContainers({ all: true, filters: JSON.stringify({ label: [LABEL] }) });
    for (const c of cs)
      await e
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }
  await engines?.[1]
    ?.getImage("wharf-test/walls-build:latest")
    .remove({ force: true })
    .catch(() => undefined);
});

describe("network walls between teams", () => {
  test("B's units and builds are refused everywhere A's units, node APIs and the registry are; A reaches its own", async () => {
    const A = teamNetwork("team-a").network;
    const B = teamNetwork("team-b").network;
    const Bbuild = teamNetwork("team-b", "build").network;
    const reg = info.registry.split(":");
    const rows: Array<[string, () => Promise<"open" | "closed">, "open" | "closed"]> = [
      ["B unit n1 -> A unit n1 by container IP", () => probe(0, B, servers.a1!.ip!, 80), "closed"],
      ["B unit n1 -> A published port n1 (same node)", () => probe(0, B, addr(0), PORT.a1), "closed"],
      ["B unit n2 -> A published port n1 (other node)", () => probe(1, B, addr(0), PORT.a1), "closed"],
      ["B unit n2 -> A unit n2 by container IP", () => probe(1, B, servers.a2!.ip!, 80), "closed"],
      ["B unit n1 -> Docker API of own node", () => probe(0, B, addr(0), 2376), "closed"],
      ["B unit n2 -> Docker API of n1", () => probe(1, B, addr(0), 2376), "closed"],
      ["B unit n1 -> registry", () => probe(0, B, reg[0]!, Number(reg[1])), "closed"],
      ["B unit n1 -> A's bound service n3", () => probe(0, B, addr(2), PORT.svc), "closed"],
      ["B unit n2 -> own unit on n1 (other node)", () => probe(1, B, addr(0), PORT.b1), "open"],
      ["B build n2 -> A published port n1", () => probe(1, Bbuild, addr(0), PORT.a1), "closed"],
      ["B build n2 -> own team's unit n1", () => probe(1, Bbuild, addr(0), PORT.b1), "closed"],
      ["B build n2 -> registry", () => probe(1, Bbuild, reg[0]!, Number(reg[1])), "closed"],
      ["B build n2 -> Docker API of n2", () => probe(1, Bbuild, addr(1), 2376), "closed"],
      ["A unit n1 -> own unit n1 by container IP", () => probe(0, A, servers.a1!.ip!, 80), "open"],
      ["A unit n1 -> own published port n1 (same node)", () => probe(0, A, addr(0), PORT.a1), "open"],
      ["A unit n2 -> own published port n1 (other node)", () => probe(1, A, addr(0), PORT.a1), "open"],
      ["A unit n1 -> bound service n3", () => probe(0, A, addr(2), PORT.svc), "open"],
      ["A unit n3 -> bound service n3 (same node, docker0)", () => probe(2, A, addr(2), PORT.svc), "open"],
      ["A unit n2 -> Docker API of n2", () => probe(1, A, addr(1), 2376), "closed"],
      ["A unit n1 -> registry", () => probe(0, A, reg[0]!, Number(reg[1])), "closed"],
      ["A unit n1 -> B published port n1", () => probe(0, A, addr(0), PORT.b1), "closed"],
      ["router host -> A published port n1", () => hostProbe(addr(0), PORT.a1), "open"],
      ["router host -> A published port n2", () => hostProbe(addr(1), PORT.a2), "open"],
    ];
    const outcomes: Array<"open" | "closed"> = [];
    // A few at a time: dozens of containers at once overload a busy machine's engines.
    for (let k = 0; k < rows.length; k += 4) {
      outcomes.push(...(await Promise.all(rows.slice(k, k + 4).map((r) => r[1]()))));
    }
    const table = rows.map((r, i) => `${r[0].padEnd(52)} ${outcomes[i]!.padEnd(6)} (want ${r[2]})`);
    console.log(["probe".padEnd(52) + " outcome", ...table].join("\n"));
    rows.forEach((r, i) => assert.equal(outcomes[i], r[2], r[0]));
  });

  test("a classic build's RUN steps on the team's build network are walled; on docker0 the same build is not", async () => {
    const reg = info.registry.split(":");
    const probes: Record<string, [string, number]> = {
      otherTeamPort: [addr(0), PORT.a1],
      ownTeamPort: [addr(0), PORT.b1],
      registry: [reg[0]!, Number(reg[1])],
      ownDockerApi: [addr(1), 2376],
      boundService: [addr(2), PORT.svc],
    };
    const walled = await buildProbes(1, buildWallOptions("team-b"), probes);
    const plain = await buildProbes(1, {}, { otherTeamPort: probes.otherTeamPort! });
    console.log(`build probes on ${buildWallOptions("team-b").networkmode}: ${JSON.stringify(walled)}`);
    console.log(`build probes on docker0 (no walls): ${JSON.stringify(plain)}`);
    assert.deepEqual(walled, {
      otherTeamPort: "closed",
      ownTeamPort: "closed",
      registry: "closed",
      ownDockerApi: "closed",
      boundService: "closed",
    });
    assert.deepEqual(plain, { otherTeamPort: "open" }, "the probe itself can see an open port");
  });

  test("each node reports its walls enforced and its networks; a removed jump is reported and repaired", async () => {
    for (const [i, w] of walls.entries()) {
      const got = await w.info(spec(i));
      assert.equal(got.status, "enforced", `node ${i}`);
      assert.deepEqual(got.networks.map((n) => `${n.kind}:${n.team}`).sort(), [
        "build:team-b",
        "unit:team-a",
        "unit:team-b",
      ]);
    }
    const before = await iptablesSave(0);
    await walls[0]!.apply(spec(0));
    assert.equal(await iptablesSave(0).then(strip), strip(before), "a repeat apply changes nothing");
    const unjump = (i: number) =>
      new Promise((r) =>
        spawn("nsenter", [
          `--net=/run/netns/${prefix()}-${info.nodes[i]!.name}`,
          "iptables",
          "-D",
          "DOCKER-USER",
          "-j",
          "WHARF-FORWARD",
        ]).on("close", r),
      );
    await unjump(0);
    assert.equal((await walls[0]!.info(spec(0))).status, "missing");
    const B = teamNetwork("team-b").network;
    // What dockerd 20.10 gives without Wharf's chain: DOCKER-ISOLATION drops bridge-to-bridge
    // traffic on one node, DNATed published ports included; across nodes (MASQUERADE, then
    // DNAT from the veth) nothing stops it, which is why the egress wall exists.
    const dockerOnly = {
      byIp: await probe(0, B, servers.a1!.ip!, 80),
      sameNodePort: await probe(0, B, addr(0), PORT.a1),
      crossNodePort: "" as string,
    };
    await unjump(1);
    dockerOnly.crossNodePort = await probe(1, B, addr(0), PORT.a1);
    console.log(`Docker's rules alone, B -> A: ${JSON.stringify(dockerOnly)}`);
    assert.deepEqual(dockerOnly, { byIp: "closed", sameNodePort: "closed", crossNodePort: "open" });
    await walls[1]!.apply(spec(1));
    assert.equal(await probe(1, B, addr(0), PORT.a1), "closed", "n2's egress wall alone closes it");
    await walls[0]!.apply(spec(0));
    assert.equal((await walls[0]!.info(spec(0))).status, "enforced");
    assert.equal(
      (await walls[0]!.info({ ...spec(0), open: [{ address: addr(0), port: 1 }] })).status,
      "stale",
    );
  });

  test("a team network's rules go with it, and come before it", async () => {
    const team = "team-gone";
    const bridge = teamNetwork(team).bridge;
    await walls[1]!.ensureTeamNetwork(spec(1, [team]), team);
    assert.ok((await iptablesSave(1)).includes(bridge));
    assert.ok((await walls[1]!.networks()).some((n) => n.bridge === bridge));
    const applied = (await walls[1]!.readState()).forward.digest;
    await walls[1]!.ensureTeamNetwork({ ...spec(1, [team]), open: [{ address: addr(1), port: 1 }] }, team);
    assert.equal(
      (await walls[1]!.readState()).forward.digest,
      applied,
      "a unit start on an existing network runs no helper container",
    );
    await walls[1]!.removeTeamNetwork(spec(1), team);
    assert.ok(!(await iptablesSave(1)).includes(bridge), "no rule names the removed bridge");
    assert.ok(!(await walls[1]!.networks()).some((n) => n.bridge === bridge));
    await assert.rejects(walls[1]!.ensureTeamNetwork(spec(1), team), /does not name/);
  });

  test("kill -9 during an apply leaves the old or the new ruleset, complete, never an open one", async () => {
    // Large rulesets (150 and 200 extra teams) make the restore take long enough to be cut.
    const small = spec(
      2,
      Array.from({ length: 150 }, (_, k) => `bulk-${k}`),
    );
    const big = spec(
      2,
      Array.from({ length: 200 }, (_, k) => `bulk-${k}`),
    );
    const digests = new Set([nodeRuleset(small).digest, nodeRuleset(big).digest]);
    await walls[2]!.apply(small);
    const seen: string[] = [];
    for (let round = 0; round < 8; round++) {
      const target = round % 2 ? small : big;
      // The applier runs in its own process, as `wharf server` would, and is SIGKILLed mid-way.
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/apply-walls.ts"], {
        stdio: ["pipe", "ignore", "inherit"],
        env: { ...process.env, NODE_INDEX: "2" },
      });
      child.stdin.end(JSON.stringify(target));
      const closed = new Promise((r) => child.on("close", r));
      // Once its helper container runs the restore, kill both at a point that moves each round.
      let helpers: Docker.ContainerInfo[] = [];
      for (let t = 0; t < 400 && helpers.length === 0 && child.exitCode === null; t++) {
        helpers = await engines[2]!.listContainers({
          filters: JSON.stringify({ label: ["wharf.host-command"] }),
        });
        if (!helpers.length) await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, round * 150));
      child.kill("SIGKILL");
      for (const h of helpers)
        await engines[2]!
          .getContainer(h.Id)
          .kill()
          .catch(() => undefined);
      await closed;
      const state = await walls[2]!.readState();
      const status = [small, big]
        .map((s) => (nodeRuleset(s).digest === state.forward.digest ? s : null))
        .find(Boolean);
      assert.ok(
        state.forward.digest && digests.has(state.forward.digest),
        `round ${round}: digest ${state.forward.digest}`,
      );
      assert.equal((await walls[2]!.info(status!)).status, "enforced", `round ${round}: complete ruleset`);
      const landed = state.forward.digest === nodeRuleset(target).digest;
      seen.push(`${round % 2 ? "big->small" : "small->big"}:${landed ? "new" : "old"}`);
    }
    console.log(`rulesets seen after each kill: ${seen.join(" ")}`);
    await walls[2]!.apply(small);
    assert.equal(await probe(2, teamNetwork("team-b").network, addr(2), PORT.svc), "closed");
  });
});

function strip(save: string): string {
  return save
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");
}
