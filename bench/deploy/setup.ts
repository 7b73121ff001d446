// Brings up what the deploy benchmark measures: a one-node test cluster (slot from
// WHARF_TEST_SLOT), the node platform image pushed to its registry, `wharf server` from dist/
// with its embedded router, and through the CLI a pool holding that one node, the platform,
// a plan, a team and the example app. Everything is torn down by tearDown.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type Docker from "dockerode";
import { down, up, type DevClusterInfo } from "../../src/cluster/dev/cluster.js";
import { hostEngine, nodeClient, testLayout } from "../../test/support/dev-cluster.js";
import { ensureHostPlatformImage } from "../../test/support/platform-image.js";
import { buildCli, CLI, ROOT } from "../../test/integration/cli/helpers.js";

export const APP = "hello";
/** The plan's memory limit; the reference containers get the same. */
export const PLAN_MEMORY = 256 * 2 ** 20;
const EXAMPLE = join(ROOT, "examples", "hello");

export interface Line {
  /** ms since the command started */
  t: number;
  text: string;
}

export interface CliRun {
  code: number;
  /** Date.now() when it was spawned, to place it among the server's log lines */
  epoch: number;
  /** ms from spawn to exit */
  ms: number;
  lines: Line[];
  stderr: string;
}

export interface Bench {
  info: DevClusterInfo;
  dir: string;
  home: string;
  appDir: string;
  refDir: string;
  routerUrl: string;
  appHost: string;
  node: Docker;
  nodeIp: string;
  platformImage: string;
  serverLog: string;
  server: ChildProcess;
  logStream: WriteStream;
}

/**
 * Runs the built CLI with its own WHARF_HOME, timestamping each stdout line as it arrives;
 * `started` is the performance.now() the caller took just before, so lines share its clock.
 */
export function cli(
  b: Pick<Bench, "home" | "appDir">,
  args: string[],
  opts: { input?: string; started?: number } = {},
): Promise<CliRun> {
  const t0 = opts.started ?? performance.now();
  const epoch = Date.now() - (performance.now() - t0);
  const env = { PATH: process.env.PATH ?? "", HOME: b.home, WHARF_HOME: b.home };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: b.appDir });
    const lines: Line[] = [];
    let partial = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      const t = performance.now() - t0;
      const parts = (partial + d.toString("utf8")).split("\n");
      partial = parts.pop() ?? "";
      for (const text of parts) lines.push({ t, text });
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (partial) lines.push({ t: performance.now() - t0, text: partial });
      resolve({ code: code ?? -1, epoch, ms: performance.now() - t0, lines, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** cli() that throws with the command's output when it fails. */
export async function ok(b: Pick<Bench, "home" | "appDir">, args: string[], input?: string): Promise<CliRun> {
  const r = await cli(b, args, input === undefined ? {} : { input });
  if (r.code !== 0)
    throw new Error(
      `wharf ${args.join(" ")} failed (${r.code}):\n${r.lines.map((l) => l.text).join("\n")}\n${r.stderr}`,
    );
  return r;
}

function startServer(
  dir: string,
  info: DevClusterInfo,
  log: WriteStream,
  spawned: (s: ChildProcess) => void,
): Promise<{ server: ChildProcess; routerUrl: string; apiUrl: string }> {
  const server = spawn(process.execPath, [CLI, "server", "--data-dir", join(dir, "data"), "-p", "0"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      WHARF_LOG_LEVEL: process.env.WHARF_LOG_LEVEL ?? "info",
      WHARF_NODE_TLS_DIR: info.tls.dir,
      WHARF_REGISTRY: info.registry,
      ...(info.baseImage ? { WHARF_BASE_IMAGE: info.baseImage } : {}),
      WHARF_ROUTER_PORT: "0",
      // The HTTPS listener defaults to 8443, which another Wharf on this machine may hold.
      WHARF_ROUTER_TLS_PORT: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned(server);
  server.stdout!.pipe(log, { end: false });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`wharf server did not start: ${err}`)), 60_000);
    server.stderr!.on("data", (d) => {
      log.write(d);
      err += d;
      const api = /server listening on (http:\/\/\S+)/.exec(err);
      const router = /router listening on (http:\/\/\S+)/.exec(err);
      if (api && router) {
        clearTimeout(timer);
        resolve({ server, apiUrl: api[1]!, routerUrl: router[1]! });
      }
    });
    server.on("exit", (code) => reject(new Error(`wharf server exited ${code}: ${err}`)));
  });
}

/** Fills `b` step by step, so tearDown can undo a set-up that failed half-way. */
export async function setUp(b: Partial<Bench>, say: (s: string) => void): Promise<Bench> {
  say("building the CLI (tsc)...");
  buildCli();
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-deploy-"));
  b.dir = dir;
  const home = join(dir, "home");
  const appDir = join(dir, "app");
  const refDir = join(dir, "ref");
  mkdirSync(home);
  cpSync(EXAMPLE, appDir, { recursive: true });
  cpSync(EXAMPLE, refDir, { recursive: true });
  say("bringing up a one-node test cluster...");
  const l = testLayout();
  const info = await up(1, l);
  b.info = info;
  say("building the node platform image on the host and pushing it to the cluster registry...");
  const platformImage = await ensureHostPlatformImage(hostEngine(), "node", info.registry);
  const serverLog = join(dir, "server.log");
  const logStream = createWriteStream(serverLog);
  b.logStream = logStream;
  const b0 = { home, appDir };
  await ok(
    b0,
    ["server", "init", "-e", "admin@example.com", "--data-dir", join(dir, "data")],
    "admin-pass-1\n",
  );
  const { server, apiUrl, routerUrl } = await startServer(dir, info, logStream, (s) => (b.server = s));
  await ok(b0, ["target", "add", "bench", apiUrl, "--set"]);
  await ok(b0, ["login", "admin@example.com"], "admin-pass-1\n");
  await ok(b0, ["pool", "add", "bench", "--default"]);
  const n = info.nodes[0]!;
  await ok(b0, ["node", "add", `address=https://${n.address}:2376`, "pool=bench", "--register"]);
  await ok(b0, ["platform", "add", "node", "-i", platformImage]);
  await ok(b0, ["plan", "create", "bench", "-c", "100", "-m", "256M", "--default"]);
  await ok(b0, ["team", "create", "bench"]);
  await ok(b0, ["app", "create", APP, "node", "-t", "bench"]);
  return Object.assign(b, {
    info,
    dir,
    home,
    appDir,
    refDir,
    routerUrl,
    appHost: `${APP}.wharf.localhost`,
    node: nodeClient(info, 0),
    nodeIp: n.address,
    platformImage,
    serverLog,
    server,
    logStream,
  });
}

/** Stops the server, removes the cluster (and with it every container and image) and the temp dir. */
export async function tearDown(b: Partial<Bench>, keepDir: boolean): Promise<void> {
  if (b.server && b.server.exitCode === null) {
    const exited = new Promise((r) => b.server!.once("exit", r));
    b.server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  }
  b.logStream?.end();
  await down(testLayout());
  if (b.dir && !keepDir) rmSync(b.dir, { recursive: true, force: true });
}
