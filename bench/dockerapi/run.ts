// bench/dockerapi: the Docker-API cluster endpoint against references in the same run.
//  (a) `docker run -d` to running, through the endpoint vs the same command straight at the
//      node's dockerd, on the 3-node test cluster (real engines), alternating; goal ≤ 1.15×.
//  (b) `docker ps`, `docker info` and `docker run -d` on a simulated pool of 1,000 nodes and
//      30,000 containers: the nodes are a FAKE Engine API (fake-engine.ts, loopback only), the
//      store holds the 30,000 records, the endpoint and the CLI are real. Classic Swarm's
//      published figures at that size (p50 230 ms schedule+start, 150 ms info) are printed
//      beside ours as a reference, not measured here.
//   WHARF_TEST_SLOT=8 node --import tsx bench/dockerapi/run.ts [reps=10] [nodes=1000] [perNode=30]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import https from "node:https";
import { Pki } from "../../src/cluster/tls/pki.js";
import { openStore } from "../../src/store/open.js";
import { buildCli, CLI, runCli, type RunResult } from "../../test/integration/cli/helpers.js";
import { DOCKER_28, ok, parseEnv, run, setupEndpoint } from "../../test/support/docker-endpoint.js";
import { fakeId, fakeSid } from "./fake-ids.js";

const reps = Number(process.argv[2] ?? 10);
const NODES = Number(process.argv[3] ?? 1000);
const PER_NODE = Number(process.argv[4] ?? 30);

/** The machine's load averages (1, 5, 15 min), as uptime prints them: figures depend on it. */
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]!;
const fmt = (xs: number[]) =>
  `p50 ${median(xs).toFixed(0)} ms, p90 ${p90(xs).toFixed(0)} ms (n=${xs.length})`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/**
 * Retries a CLI call the API server answered 408 "Client Timeout": while the server takes its
 * 1,000 fake nodes' first health transitions on a loaded machine, Node's HTTP server may not
 * read a request's headers within its headersTimeout (60 s). Such a request never reached a
 * handler, so repeating it is safe; anything else is returned as it is. Bounded: 10 tries.
 */
async function settled(call: () => Promise<RunResult>): Promise<RunResult> {
  for (let i = 0; ; i++) {
    const r = await call();
    if (r.code === 0 || i >= 9 || !/"statusCode":408/.test(r.stdout + r.stderr)) return r;
    await new Promise((res) => setTimeout(res, 2000));
  }
}

async function partA(): Promise<void> {
  const s = await setupEndpoint({ prefix: "bench-dockerapi" });
  try {
    await ok(s.admin(["team", "create", "alpha"]));
    const u = await s.addUser("alice@example.com", "alpha");
    await ok(s.docker(u, ["pull", s.image]));
    const n = s.info.nodes[0]!;
    const tlsArgs = [
      "--tlsverify",
      "--tlscacert",
      s.info.tls.ca,
      "--tlscert",
      s.info.tls.clientCert,
      "--tlskey",
      s.info.tls.clientKey,
      "-H",
      `tcp://${n.address}:2376`,
    ];
    const direct = (args: string[]) =>
      run(DOCKER_28, [...tlsArgs, ...args], { PATH: process.env.PATH ?? "", HOME: s.dir });
    const viaEndpoint: number[] = [];
    const straight: number[] = [];
    for (let i = 0; i < reps + 1; i++) {
      // Same node, same image, same command; the first pair warms both paths and is dropped.
      const a = await timed(() =>
        ok(
          s.docker(u, [
            "run",
            "-d",
            "--name",
            `e${i}`,
            "-e",
            `constraint:node==${s.nodeNames[0]}`,
            s.image,
            "sleep",
            "600",
          ]),
        ),
      );
      const b = await timed(() => ok(direct(["run", "-d", "--name", `d${i}`, s.image, "sleep", "600"])));
      if (i > 0) {
        viaEndpoint.push(a);
        straight.push(b);
      }
      await ok(s.docker(u, ["rm", "-f", `e${i}`]));
      await ok(direct(["rm", "-f", `d${i}`]));
    }
    console.log("(a) docker run -d to running, 3-node test cluster, same node, alternating");
    console.log(`    through the endpoint: ${fmt(viaEndpoint)}`);
    console.log(`    straight at the node: ${fmt(straight)}`);
    console.log(
      `    ratio of medians: ${(median(viaEndpoint) / median(straight)).toFixed(2)}x (goal <= 1.15x)`,
    );
  } finally {
    await s.close();
  }
}

async function partB(): Promise<void> {
  buildCli();
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-dockerapi-sim-"));
  let fake: ReturnType<typeof spawn> | undefined;
  let server: ReturnType<typeof spawn> | undefined;
  try {
    // Wharf's client certificate for the fake nodes, and the fake nodes' server certificate.
    const pki = new Pki(join(dir, "pki"));
    await pki.ensureCa("bench fake-node CA");
    await pki.issueServer("server", { ips: ["127.0.0.1"] });
    await pki.issueClient("client");
    const clientDir = await pki.exportDockerCertDir("client", join(dir, "client"));
    fake = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(import.meta.dirname, "fake-engine.ts"),
        join(dir, "pki"),
        String(NODES),
        String(PER_NODE),
        "bench",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: fake!.stdout! }).once("line", resolve),
    );
    const ports = (JSON.parse(line) as { ports: number[] }).ports;
    // The store: the nodes and the team's 30,000 containers, as the endpoint would have recorded them.
    const dataDir = join(dir, "data");
    mkdirSync(dataDir);
    const adminHome = join(dir, "admin");
    mkdirSync(adminHome);
    await ok(
      runCli(["server", "init", "-e", "admin@example.com", "--data-dir", dataDir], {
        home: adminHome,
        input: "admin-pass-1\n",
      }),
    );
    const store = await openStore({ kind: "sqlite", path: join(dataDir, "wharf.db") });
    const now = new Date();
    await store.tx(async (t) => {
      for (let n = 0; n < NODES; n++)
        await t.createNode({
          address: `https://127.0.0.1:${ports[n]}`,
          pool: "main",
          metadata: { zone: `z${n % 3}` },
          engineId: `FAKE:${n}`,
          engineName: `fake-${n}`,
          labels: { storagedriver: "overlay2", ostype: "linux" },
          cpus: 4,
          memory: 8 * 2 ** 30,
          disabled: false,
          health: {
            state: "healthy",
            failures: 0,
            lastSuccess: now,
            lastError: "",
            lastErrorAt: null,
            since: now,
          },
        });
    });
    for (let n = 0; n < NODES; n++)
      await store.tx(async (t) => {
        for (let i = 0; i < PER_NODE; i++)
          await t.createDockerContainer({
            swarmId: fakeSid(n, i),
            team: "bench",
            owner: "bench@example.com",
            pool: "main",
            node: `https://127.0.0.1:${ports[n]}`,
            containerId: fakeId(n, i),
            name: `c-${n}-${i}`,
            engineName: `wd.${fakeSid(n, i).slice(0, 16)}`,
            image: "busybox",
            memory: 0,
            cpus: 0,
            ports: [],
            hostNetwork: false,
            exposedPorts: [],
            reschedule: false,
            config: JSON.stringify({
              Image: "busybox",
              Labels: { "wharf.docker.team": "bench", "com.docker.swarm.id": fakeSid(n, i) },
            }),
            phase: "created",
          });
      });
    await store.close();
    // BENCH_SERVER_PROF=DIR: a CPU profile of the server (written when it exits), to find hot paths.
    const prof = process.env.BENCH_SERVER_PROF;
    const profArgs = prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [];
    server = spawn(process.execPath, [...profArgs, CLI, "server", "--data-dir", dataDir, "-p", "0"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        WHARF_LOG_LEVEL: "error",
        WHARF_NODE_TLS_DIR: clientDir,
        // No registry: the deploy side (reconcilers converging 1,000 fake nodes) stays off.
        // NORMAL: the monitor records 1,000 nodes' first health transition at start, one
        // transaction each; with an fsync each that alone kept the API waiting for minutes.
        WHARF_SQLITE_SYNCHRONOUS: "NORMAL",
        WHARF_DOCKER_API_PORT: "0",
        // Swarm's own engine refresh at this size: every 30-60 s. Polling 1,000 nodes each
        // 10 s from one process on a shared 2-core machine made pings time out and nodes flap.
        WHARF_NODE_MONITOR_INTERVAL_MS: "30000",
        WHARF_NODE_MONITOR_TIMEOUT_MS: "10000",
        WHARF_LOG_COLLECTOR: "false",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const urls = await new Promise<{ api: string; docker: string }>((resolve, reject) => {
      let err = "";
      server!.stderr!.on("data", (d) => {
        err += d;
        const api = /server listening on (http:\/\/\S+)/.exec(err);
        const docker = /docker endpoint listening on (tcp:\/\/\S+)/.exec(err);
        if (api && docker) resolve({ api: api[1]!, docker: docker[1]! });
      });
      server!.once("exit", (c) => reject(new Error(`server exited ${c}: ${err}`)));
    });
    const admin = (args: string[], input?: string) =>
      settled(() =>
        runCli(args, { home: adminHome, ...(input ? { input } : {}), env: { WHARF_TARGET: urls.api } }),
      );
    await ok(admin(["login", "admin@example.com"], "admin-pass-1\n"));
    await ok(admin(["pool", "add", "main", "--default"]));
    await ok(admin(["team", "create", "bench"]));
    await ok(admin(["docker", "policy", "set", "main", "--containers-per-team", "-1"]));
    await ok(admin(["user", "create", "bench@example.com"], "user-pass-1\n"));
    await ok(admin(["role", "assign", "team-member", "bench@example.com", "bench"]));
    const home = join(dir, "bench");
    mkdirSync(home);
    await ok(
      settled(() =>
        runCli(["login", "bench@example.com"], {
          home,
          input: "user-pass-1\n",
          env: { WHARF_TARGET: urls.api },
        }),
      ),
    );
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: home,
      ...parseEnv(
        (await ok(settled(() => runCli(["docker", "env"], { home, env: { WHARF_TARGET: urls.api } }))))
          .stdout,
      ),
    };
    const docker = (args: string[]) => ok(run(DOCKER_28, args, env));
    // Wait until the endpoint has listed every fake node.
    const total = NODES * PER_NODE;
    for (let t = 0; ; t++) {
      const info = (await docker(["info"])).stdout;
      if (new RegExp(`Containers: ${total}\\b`).test(info)) break;
      if (t > 600) throw new Error(`the endpoint never saw the ${total} containers`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const cert = (f: string) => readFileSync(join(env.DOCKER_CERT_PATH!, f));
    const agent = new https.Agent({
      ca: cert("ca.pem"),
      cert: cert("cert.pem"),
      key: cert("key.pem"),
      keepAlive: true,
    });
    const [host, port] = urls.docker.replace("tcp://", "").split(":");
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        https
          .get({ host, port: Number(port), path, agent }, (res) => {
            let n = 0;
            res.on("data", (d: Buffer) => (n += d.length));
            res.on("end", () => resolve(n));
          })
          .on("error", reject);
      });
    const ps: number[] = [];
    const info: number[] = [];
    const psRaw: number[] = [];
    const infoRaw: number[] = [];
    const runs: number[] = [];
    const loadBefore = load();
    for (let i = 0; i < reps + 1; i++) {
      const a = await timed(() => docker(["ps", "-q"]));
      const b = await timed(() => docker(["info"]));
      const c = await timed(() => raw("/v1.41/containers/json"));
      const d = await timed(() => raw("/v1.41/info"));
      const e = await timed(() => docker(["run", "-d", "busybox", "sleep", "600"]));
      if (i === 0) continue;
      ps.push(a);
      info.push(b);
      psRaw.push(c);
      infoRaw.push(d);
      runs.push(e);
    }
    console.log(`(b) simulated pool: ${NODES} fake nodes, ${total} containers of the caller's team`);
    console.log(`    load average before / after the measures: ${loadBefore} / ${load()}`);
    console.log(`    docker ps -q (CLI, whole command):   ${fmt(ps)}`);
    console.log(`    GET /containers/json (HTTP only):    ${fmt(psRaw)}`);
    console.log(
      `    docker info (CLI, whole command):    ${fmt(info)}   [classic Swarm, published: p50 150 ms]`,
    );
    console.log(`    GET /info (HTTP only):               ${fmt(infoRaw)}`);
    console.log(
      `    docker run -d (schedule + start):    ${fmt(runs)}   [classic Swarm, published: p50 230 ms]`,
    );
    console.log(
      `    ratios to Swarm's published p50s: info ${(median(info) / 150).toFixed(2)}x, run ${(median(runs) / 230).toFixed(2)}x`,
    );
    agent.destroy();
  } finally {
    server?.kill("SIGTERM");
    fake?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`bench/dockerapi: reps=${reps} nodes=${NODES} perNode=${PER_NODE}, load average ${load()}`);
if (!process.env.BENCH_SKIP_A) await partA();
if (!process.env.BENCH_SKIP_B) await partB();
