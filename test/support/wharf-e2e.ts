// Shared setup of the e2e tests that run a real `wharf server` process against the 3-node
// test cluster: init, start (and kill -9 / restart), log in, a pool with the three nodes,
// the repo's `node` platform, a plan and a team. The CLI reaches the server through
// WHARF_TARGET so a restart on a new port needs no `target add`.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FormData, request } from "undici";
import type { DevClusterInfo } from "../../src/cluster/dev/cluster.js";
import { hostEngine, nodeClient, testClusterDone, testClusterUp } from "./dev-cluster.js";
import { buildCli, CLI, runCli, type RunResult } from "../integration/cli/helpers.js";
import { ensureHostPlatformImage } from "./platform-image.js";

export interface ManagedContainer {
  id: string;
  name: string;
  unit: string;
  app: string;
  node: number;
}

export interface WharfE2E {
  readonly dir: string;
  readonly home: string;
  readonly dataDir: string;
  readonly info: DevClusterInfo;
  /** Current API and router addresses (they change on each start). */
  apiUrl: string;
  routerUrl: string;
  token: string;
  /** Starts `wharf server` and waits until the API and the router listen. */
  start(): Promise<void>;
  /** SIGKILL, as a crash: nothing gets to clean up. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
  cli(args: string[], opts?: { input?: string; cwd?: string }): Promise<RunResult>;
  /** Like cli, asserting exit code 0. */
  ok(args: string[], opts?: { input?: string; cwd?: string }): Promise<RunResult>;
  /** An authenticated API request; body as given (FormData, string). */
  api(
    method: "GET" | "POST" | "DELETE" | "PUT",
    path: string,
    body?: FormData | string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }>;
  /** One request through the router for the app. */
  get(app: string, path?: string): Promise<{ status: number; body: string }>;
  /** Containers with wharf.managed=true, and containers of builds (wharf.build), on all nodes. */
  managedContainers(): Promise<ManagedContainer[]>;
  buildContainers(): Promise<ManagedContainer[]>;
  close(): Promise<void>;
}

export interface SetupOptions {
  /** Extra server environment (WHARF_UPLOAD_LIMIT, ...). */
  env?: Record<string, string>;
  prefix: string;
}

const ADMIN = "admin@example.com";
const PASSWORD = "admin-pass-1";

async function labelled(info: DevClusterInfo, label: string): Promise<ManagedContainer[]> {
  const out: ManagedContainer[] = [];
  for (let i = 0; i < info.nodes.length; i++) {
    const cs = await nodeClient(info, i).listContainers({
      all: true,
      filters: JSON.stringify({ label: [label] }),
    });
    for (const c of cs) {
      // Units run the app image, whose wharf.build label they inherit: not builds.
      if (label === "wharf.build" && (c.Labels["wharf.managed"] || c.Labels["wharf.oneoff"])) continue;
      out.push({
        id: c.Id,
        name: (c.Names[0] ?? "").replace(/^\//, ""),
        unit: c.Labels["wharf.unit"] ?? "",
        app: c.Labels["wharf.app"] ?? c.Labels["wharf.build"] ?? "",
        node: i,
      });
    }
  }
  return out;
}

export async function setupWharf(o: SetupOptions): Promise<WharfE2E> {
  buildCli();
  const dir = mkdtempSync(join(tmpdir(), `wharf-e2e-${o.prefix}-`));
  const home = join(dir, "home");
  const dataDir = join(dir, "data");
  mkdirSync(home);
  const info = await testClusterUp();
  let server: ChildProcess | undefined;
  const w: WharfE2E = {
    dir,
    home,
    dataDir,
    info,
    apiUrl: "",
    routerUrl: "",
    token: "",
    async start() {
      const child = spawn(process.execPath, [CLI, "server", "--data-dir", dataDir, "-p", "0"], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          WHARF_LOG_LEVEL: "warn",
          WHARF_NODE_TLS_DIR: info.tls.dir,
          WHARF_REGISTRY: info.registry,
          ...(info.baseImage ? { WHARF_BASE_IMAGE: info.baseImage } : {}),
          WHARF_ROUTER_PORT: "0",
          WHARF_ROUTER_TLS_PORT: "off",
          WHARF_ROUTER_ADMIN_PORT: "off",
          WHARF_DRAIN_MS: "500",
          ...o.env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      server = child;
      child.stdout!.on("data", (d) => process.stdout.write(`# server: ${String(d).slice(0, 2000)}`));
      await new Promise<void>((resolve, reject) => {
        let err = "";
        const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 120_000);
        child.stderr!.on("data", (d) => {
          err += d;
          const api = /server listening on (http:\/\/\S+)/.exec(err);
          const router = /router listening on (http:\/\/\S+)/.exec(err);
          if (api && router) {
            clearTimeout(timer);
            w.apiUrl = api[1]!;
            w.routerUrl = router[1]!;
            resolve();
          }
        });
        child.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`server exited ${code}: ${err}`));
        });
      }).catch((e: unknown) => {
        child.kill("SIGKILL");
        throw e;
      });
    },
    async kill9() {
      const s = server;
      if (!s || s.exitCode !== null || s.signalCode !== null) return;
      const exited = new Promise((r) => s.once("exit", r));
      s.kill("SIGKILL");
      await exited;
    },
    async stop() {
      const s = server;
      if (!s || s.exitCode !== null || s.signalCode !== null) return;
      const exited = new Promise((r) => s.once("exit", r));
      s.kill("SIGTERM");
      await exited;
    },
    cli(args, opts = {}) {
      return runCli(args, {
        home,
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        cwd: opts.cwd ?? home,
        env: { WHARF_TARGET: w.apiUrl, ...(w.token ? { WHARF_TOKEN: w.token } : {}) },
      });
    },
    async ok(args, opts) {
      const r = await w.cli(args, opts);
      assert.equal(r.code, 0, `wharf ${args.join(" ")} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
      return r;
    },
    async api(method, path, body, headers = {}) {
      const res = await request(`${w.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `bearer ${w.token}`,
          ...(typeof body === "string" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body } : {}),
        headersTimeout: 300_000,
        bodyTimeout: 300_000,
      });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    },
    async get(app, path = "/") {
      const res = await request(`${w.routerUrl}${path}`, {
        headers: { host: `${app}.wharf.localhost` },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      return { status: res.statusCode, body: await res.body.text() };
    },
    managedContainers: () => labelled(info, "wharf.managed=true"),
    buildContainers: () => labelled(info, "wharf.build"),
    async close() {
      await w.stop();
      await testClusterDone(info);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const platformImage = await ensureHostPlatformImage(hostEngine(), "node", info.registry);
    await w.ok(["server", "init", "-e", ADMIN, "--data-dir", dataDir], { input: `${PASSWORD}\n` });
    await w.start();
    await w.ok(["login", ADMIN], { input: `${PASSWORD}\n` });
    w.token = readFileSync(join(home, "token"), "utf8").trim();
    await w.ok(["pool", "add", "main", "--default"]);
    for (const n of info.nodes) {
      await w.ok([
        "node",
        "add",
        `address=https://${n.address}:2376`,
        "pool=main",
        `zone=${n.name}`,
        "--register",
      ]);
    }
    await w.ok(["platform", "add", "node", "-i", platformImage]);
    await w.ok(["plan", "create", "small", "-c", "500", "-m", "256M", "--default"]);
    await w.ok(["team", "create", "devs"]);
    return w;
  } catch (e) {
    // The caller never gets `w`, so its after() cannot tear the cluster down.
    await w.close();
    throw e;
  }
}

export interface TarEntry {
  name: string;
  content?: string | Buffer;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo";
  linkname?: string;
  mode?: number;
}

/** A tar.gz made entry by entry, so tests can write what `tar` would refuse to. */
export async function tarGz(entries: TarEntry[]): Promise<Buffer> {
  const { pack: tarPack } = await import("tar-stream");
  const { gzipSync } = await import("node:zlib");
  const p = tarPack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((res, rej) => {
    p.on("end", () => res());
    p.on("error", rej);
  });
  for (const e of entries) {
    const type = e.type ?? "file";
    const body = e.content === undefined ? undefined : Buffer.from(e.content);
    await new Promise<void>((res, rej) =>
      p.entry(
        {
          name: e.name,
          type,
          mode: e.mode ?? (type === "directory" ? 0o755 : 0o644),
          ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
          ...(type === "character-device" ? { devmajor: 1, devminor: 3 } : {}),
          ...(body ? { size: body.length } : {}),
        },
        body ?? "",
        (err) => (err ? rej(err) : res()),
      ),
    );
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export interface StreamedDeploy {
  status: number;
  eventId: string;
  text: string;
  /** The request broke off (the server died) instead of ending. */
  broken: boolean;
}

/**
 * POST /apps/{app}/deploy with `file`, reading the streamed answer as it comes. `onText`
 * sees the text so far after each chunk (e.g. to kill the server at a given line).
 */
export async function streamDeploy(
  w: WharfE2E,
  app: string,
  archive: Buffer,
  onText?: (text: string, eventId: string) => void | Promise<void>,
): Promise<StreamedDeploy> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(archive)]), "archive.tar.gz");
  form.append("origin", "app-deploy");
  let text = "";
  let eventId = "";
  let status = 0;
  try {
    const res = await request(`${w.apiUrl}/apps/${app}/deploy`, {
      method: "POST",
      headers: { authorization: `bearer ${w.token}` },
      body: form,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    status = res.statusCode;
    eventId = String(res.headers["x-tsuru-eventid"] ?? "");
    for await (const chunk of res.body) {
      text += String(chunk);
      await onText?.(text, eventId);
    }
    return { status, eventId, text, broken: false };
  } catch {
    return { status, eventId, text, broken: true };
  }
}
