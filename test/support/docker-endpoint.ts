// Shared setup for the Docker-API endpoint's e2e test and benchmark: the 3-node test cluster,
// a `wharf server` with the endpoint on, pool `main` with the nodes in zones a, b, c, teams
// and users, each user's certificate from `wharf docker env`, the project's busybox image in
// the cluster registry, and a runner for the real docker CLIs.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DevClusterInfo } from "../../src/cluster/dev/cluster.js";
import { pushImage, tagImage } from "../../src/cluster/docker/image.js";
import { buildCli, CLI, runCli, type RunResult } from "../integration/cli/helpers.js";
import { buildBusyboxImage } from "./busybox-image.js";
import { hostEngine, testClusterDone, testClusterUp } from "./dev-cluster.js";

/** Debian's docker.io client (20.10) and the newer one this machine has. */
export const DOCKER_20 = "/usr/bin/docker";
export const DOCKER_28 = "/usr/local/bin/docker";

export interface DockerUser {
  email: string;
  home: string;
  /** DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH as `wharf docker env` printed them. */
  env: Record<string, string>;
}

export interface EndpointSetup {
  info: DevClusterInfo;
  dir: string;
  apiUrl: string;
  dockerUrl: string;
  image: string;
  /** Node engine names in zone order a, b, c. */
  nodeNames: string[];
  admin: (args: string[], input?: string) => Promise<RunResult>;
  wharfAs: (u: DockerUser, args: string[]) => Promise<RunResult>;
  addUser: (email: string, team: string) => Promise<DockerUser>;
  docker: (
    u: DockerUser,
    args: string[],
    opts?: { bin?: string; cwd?: string; env?: Record<string, string>; input?: string },
  ) => Promise<RunResult>;
  close: () => Promise<void>;
}

const PASSWORD = "admin-pass-1";

export function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
  input?: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, ...(cwd ? { cwd } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

export function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^export (DOCKER_[A-Z_]+)=(.*)$/gm)) out[m[1]!] = m[2]!;
  return out;
}

export async function setupEndpoint(o: {
  prefix: string;
  env?: Record<string, string>;
}): Promise<EndpointSetup> {
  buildCli();
  const dir = mkdtempSync(join(tmpdir(), `wharf-${o.prefix}-`));
  const adminHome = join(dir, "admin");
  mkdirSync(adminHome);
  const info = await testClusterUp();
  let server: ChildProcess | undefined;
  const s: EndpointSetup = {
    info,
    dir,
    apiUrl: "",
    dockerUrl: "",
    image: `${info.registry}/dockerapi/busybox:latest`,
    nodeNames: [],
    admin: (args, input) =>
      runCli(args, { home: adminHome, ...(input ? { input } : {}), env: { WHARF_TARGET: s.apiUrl } }),
    wharfAs: (u, args) => runCli(args, { home: u.home, env: { WHARF_TARGET: s.apiUrl } }),
    async addUser(email, team) {
      const home = join(dir, email);
      mkdirSync(home, { recursive: true });
      await ok(s.admin(["user", "create", email], "user-pass-1\n"));
      await ok(s.admin(["role", "assign", "team-member", email, team]));
      await ok(runCli(["login", email], { home, input: "user-pass-1\n", env: { WHARF_TARGET: s.apiUrl } }));
      const u: DockerUser = { email, home, env: {} };
      u.env = parseEnv((await ok(s.wharfAs(u, ["docker", "env"]))).stdout);
      return u;
    },
    docker(u, args, opts = {}) {
      // requests (under docker-compose) would trust REQUESTS_CA_BUNDLE over DOCKER_CERT_PATH: not passed on.
      const env = { PATH: process.env.PATH ?? "", HOME: u.home, ...u.env, ...opts.env };
      return run(opts.bin ?? DOCKER_28, args, env, opts.cwd, opts.input);
    },
    async close() {
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server!.once("exit", r));
        server.kill("SIGTERM");
        await exited;
      }
      await testClusterDone(info);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const host = hostEngine();
    await buildBusyboxImage(host, "wharf-test/busybox:latest");
    await tagImage(host, "wharf-test/busybox:latest", `${info.registry}/dockerapi/busybox`, "latest");
    await pushImage(host, s.image);
    const dataDir = join(dir, "data");
    await ok(
      runCli(["server", "init", "-e", "admin@example.com", "--data-dir", dataDir], {
        home: adminHome,
        input: `${PASSWORD}\n`,
      }),
    );
    server = spawn(process.execPath, [CLI, "server", "--data-dir", dataDir, "-p", "0"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        WHARF_LOG_LEVEL: "warn",
        WHARF_NODE_TLS_DIR: info.tls.dir,
        WHARF_REGISTRY: info.registry,
        WHARF_ROUTER_PORT: "0",
        WHARF_ROUTER_TLS_PORT: "off",
        WHARF_ROUTER_ADMIN_PORT: "off",
        WHARF_DOCKER_API_PORT: "0",
        ...o.env,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      let err = "";
      const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 120_000);
      server!.stderr!.on("data", (d) => {
        err += d;
        const api = /server listening on (http:\/\/\S+)/.exec(err);
        const docker = /docker endpoint listening on (tcp:\/\/\S+)/.exec(err);
        if (api && docker) {
          clearTimeout(timer);
          s.apiUrl = api[1]!;
          s.dockerUrl = docker[1]!;
          resolve();
        }
      });
      server!.once("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
    await ok(s.admin(["login", "admin@example.com"], `${PASSWORD}\n`));
    await ok(s.admin(["pool", "add", "main", "--default"]));
    const zones = ["a", "b", "c"];
    for (const [i, n] of info.nodes.entries()) {
      const r = await ok(
        s.admin([
          "node",
          "add",
          `address=https://${n.address}:2376`,
          "pool=main",
          `zone=${zones[i]}`,
          "--register",
        ]),
      );
      s.nodeNames.push(/\((\S+):/.exec(r.stdout)?.[1] ?? "");
    }
    return s;
  } catch (e) {
    await s.close();
    throw e;
  }
}

export async function ok(p: Promise<RunResult>): Promise<RunResult> {
  const r = await p;
  assert.equal(r.code, 0, `command failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}
